/**
 * The small formatting language of comments, parsed once into a tree that both sides use:
 * the server checks it (link schemes, HTML, mentions) and the browser renders it with Lit
 * bindings (`widgets/discussion/format.ts`). Nothing here produces HTML.
 *
 * Blocks: paragraphs (blank line between), `> ` quotes, `- ` / `* ` and `1. ` lists, ``` fenced code.
 * Inline: `**bold**`, `*italic*` or `_italic_`, `` `code` ``, `[text](https://…)`, bare
 * `https://…` links, `@[Name](member-id)` mentions, `\` escapes. A single line break stays a line break.
 */

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'br' }
  | { t: 'code'; v: string }
  | { t: 'b' | 'i'; c: Inline[] }
  | { t: 'link'; href: string; c: Inline[] }
  | { t: 'mention'; id: string; name: string };

export type Block =
  | { t: 'p'; c: Inline[] }
  | { t: 'pre'; v: string }
  | { t: 'quote'; c: Block[] }
  | { t: 'ul'; items: Inline[][] }
  | { t: 'ol'; start: number; items: Inline[][] };

/** Link schemes a comment may use. */
export const LINK_SCHEMES = ['http:', 'https:', 'mailto:'];

/** `href` when it is an absolute http(s) or mailto URL, otherwise null. */
export function safeHref(raw: string): string | null {
  const s = raw.trim();
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(s);
  if (!m || !LINK_SCHEMES.includes(m[1].toLowerCase() + ':')) return null;
  if (/[\s<>"'`\\\u0000-\u001f]/.test(s)) return null;
  if (m[1].toLowerCase() !== 'mailto' && !/^https?:\/\/[^/?#]+/i.test(s)) return null;
  return s;
}

const MAX_QUOTE_DEPTH = 3;
const MENTION_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;
const ESCAPABLE = '\\`*_[]()>#+-.!@~|';

/** Parses comment source into blocks. Linear in practice; never throws. */
export function parseMarkup(src: string, depth = 0): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const out: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push({ t: 'p', c: parseInline(para.join('\n')) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*```/.test(line)) {
      flush();
      const body: string[] = [];
      for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i]);
      out.push({ t: 'pre', v: body.join('\n') });
      continue;
    }
    if (/^\s*>/.test(line) && depth < MAX_QUOTE_DEPTH) {
      flush();
      const inner: string[] = [];
      for (; i < lines.length && /^\s*>/.test(lines[i]); i++) inner.push(lines[i].replace(/^\s*> ?/, ''));
      i--;
      out.push({ t: 'quote', c: parseMarkup(inner.join('\n'), depth + 1) });
      continue;
    }
    const bullet = /^\s{0,3}[-*+]\s+(.*)$/;
    const number = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
    const ul = bullet.exec(line);
    const ol = ul ? null : number.exec(line);
    if (ul || ol) {
      flush();
      const re = ul ? bullet : number;
      const items: string[][] = [];
      for (; i < lines.length; i++) {
        const m = re.exec(lines[i]);
        if (m) items.push([m[m.length - 1]]);
        else if (/^\s{2,}\S/.test(lines[i]) && items.length) items[items.length - 1].push(lines[i].trim());
        else break;
      }
      i--;
      const parsed = items.map((it) => parseInline(it.join('\n')));
      out.push(ul ? { t: 'ul', items: parsed } : { t: 'ol', start: Number(ol![1]), items: parsed });
      continue;
    }
    if (!line.trim()) flush();
    else para.push(line.trim());
  }
  flush();
  return out;
}

/** Parses one paragraph's inline formatting. */
export function parseInline(s: string): Inline[] {
  // `missing[d]` = from where on a closing delimiter `d` is known to be absent (keeps the scan linear).
  const missing: Record<string, number> = {};
  const closer = (d: string, from: number): number => {
    if (missing[d] !== undefined && from >= missing[d]) return -1;
    for (let j = s.indexOf(d, from); j !== -1; j = s.indexOf(d, j + 1)) {
      if (s[j - 1] === '\\' || /\s/.test(s[j - 1] ?? ' ')) continue;
      if (d === '*' && s[j + 1] === '*') {
        j++;
        continue;
      }
      return j;
    }
    missing[d] = Math.min(missing[d] ?? Infinity, from);
    return -1;
  };
  const run = (from: number, to: number): Inline[] => {
    const out: Inline[] = [];
    let text = '';
    const push = (n: Inline) => {
      if (text) out.push({ t: 'text', v: text });
      text = '';
      out.push(n);
    };
    let i = from;
    while (i < to) {
      const ch = s[i];
      if (ch === '\\' && i + 1 < to && ESCAPABLE.includes(s[i + 1])) {
        text += s[i + 1];
        i += 2;
        continue;
      }
      if (ch === '\n') {
        push({ t: 'br' });
        i++;
        continue;
      }
      if (ch === '`') {
        let n = 1;
        while (s[i + n] === '`') n++;
        const fence = '`'.repeat(n);
        const end = s.indexOf(fence, i + n);
        if (end !== -1 && end < to) {
          push({ t: 'code', v: s.slice(i + n, end).replace(/^ (.*) $/s, '$1') });
          i = end + n;
          continue;
        }
        text += fence;
        i += n;
        continue;
      }
      if (ch === '@' && s[i + 1] === '[') {
        const m = /^@\[([^\]\n]{1,120})\]\(([^)\s]{1,128})\)/.exec(s.slice(i, Math.min(to, i + 260)));
        if (m && MENTION_ID.test(m[2])) {
          push({ t: 'mention', id: m[2], name: m[1] });
          i += m[0].length;
          continue;
        }
      }
      if (ch === '[') {
        const close = s.indexOf('](', i + 1);
        const nl = s.indexOf('\n', i + 1);
        if (close !== -1 && close < to && (nl === -1 || nl > close)) {
          const end = s.indexOf(')', close + 2);
          if (end !== -1 && end < to && !/\s/.test(s.slice(close + 2, end))) {
            push({ t: 'link', href: s.slice(close + 2, end), c: run(i + 1, close) });
            i = end + 1;
            continue;
          }
        }
      }
      if (ch === '<') {
        const m = /^<([a-z][a-z0-9+.-]*:[^\s<>]+)>/i.exec(s.slice(i, Math.min(to, i + 2100)));
        if (m) {
          push({ t: 'link', href: m[1], c: [{ t: 'text', v: m[1] }] });
          i += m[0].length;
          continue;
        }
      }
      if ((ch === 'h' || ch === 'H') && /^https?:\/\//i.test(s.slice(i, i + 8)) && !/[A-Za-z0-9]/.test(s[i - 1] ?? ' ')) {
        let end = i;
        while (end < to && !/[\s<>]/.test(s[end])) end++;
        while (end > i && /[.,;:!?)'"\]]/.test(s[end - 1])) end--;
        const href = s.slice(i, end);
        push({ t: 'link', href, c: [{ t: 'text', v: href }] });
        i = end;
        continue;
      }
      if (ch === '*' || ch === '_') {
        const strong = ch === '*' && s[i + 1] === '*';
        const d = strong ? '**' : ch;
        const inner = i + d.length;
        const flanking = inner < to && !/\s/.test(s[inner]) && (ch === '*' || !/[A-Za-z0-9]/.test(s[i - 1] ?? ' '));
        if (flanking) {
          const end = strong ? closerStrong(inner) : closer(d, inner);
          if (end !== -1 && end < to && (ch === '*' || !/[A-Za-z0-9]/.test(s[end + 1] ?? ' '))) {
            push({ t: strong ? 'b' : 'i', c: run(inner, end) });
            i = end + d.length;
            continue;
          }
        }
        text += d;
        i += d.length;
        continue;
      }
      text += ch;
      i++;
    }
    if (text) out.push({ t: 'text', v: text });
    return out;
  };
  const closerStrong = (from: number): number => {
    if (missing['**'] !== undefined && from >= missing['**']) return -1;
    for (let j = s.indexOf('**', from); j !== -1; j = s.indexOf('**', j + 1)) {
      if (j > from && !/\s/.test(s[j - 1]) && s[j - 1] !== '\\') return j;
    }
    missing['**'] = Math.min(missing['**'] ?? Infinity, from);
    return -1;
  };
  return run(0, s.length);
}

/** Tags that are refused in a comment's source outside code (a comment is text, never HTML). */
const FORBIDDEN_TAG =
  /<\/?\s*(script|iframe|object|embed|style|link|meta|base|svg|math|form|frame|frameset|applet|template|img|video|audio|input|button)\b[^>]*>?|<[a-z][a-z0-9-]*\s[^>]*\bon[a-z]+\s*=/i;

export interface MarkupIssue {
  code: 'comment.link_scheme' | 'comment.markup_forbidden';
  message: string;
}

export interface MarkupCheck {
  blocks: Block[];
  /** Distinct member ids mentioned. */
  mentions: string[];
  issues: MarkupIssue[];
}

/** Parses and checks source text: links must be http(s)/mailto, no HTML elements that could run or load. */
export function checkMarkup(src: string): MarkupCheck {
  const blocks = parseMarkup(src);
  const mentions = new Set<string>();
  const issues: MarkupIssue[] = [];
  const inline = (list: Inline[]) => {
    for (const n of list) {
      if (n.t === 'mention') mentions.add(n.id);
      else if (n.t === 'link') {
        if (!safeHref(n.href))
          issues.push({
            code: 'comment.link_scheme',
            message: `Links must start with http://, https:// or mailto: (found "${n.href.slice(0, 60)}").`,
          });
        inline(n.c);
      } else if (n.t === 'b' || n.t === 'i') inline(n.c);
      else if (n.t === 'text') {
        const m = FORBIDDEN_TAG.exec(n.v);
        if (m)
          issues.push({
            code: 'comment.markup_forbidden',
            message: `HTML such as "${m[0].slice(0, 40)}" is not allowed; use **bold**, *italic*, \`code\`, > quotes and - lists.`,
          });
        if (/\b(javascript|vbscript|data)\s*:/i.test(n.v) && /\]\(|<\s*(javascript|vbscript|data)/i.test(n.v)) {
          issues.push({ code: 'comment.link_scheme', message: 'Links must start with http://, https:// or mailto:.' });
        }
      }
    }
  };
  const block = (list: Block[]) => {
    for (const b of list) {
      if (b.t === 'p') inline(b.c);
      else if (b.t === 'quote') block(b.c);
      else if (b.t === 'ul' || b.t === 'ol') b.items.forEach(inline);
    }
  };
  block(blocks);
  return { blocks, mentions: [...mentions], issues };
}
