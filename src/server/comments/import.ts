import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { MAX_COMMENT_LENGTH } from '../../contract/requests.js';
import { newId, nowIso } from '../domain/ids.js';
import { ModerationStore } from '../store/moderation.js';
import type { Store } from '../store/store.js';
import { indexMembers } from '../store/search.js';

/**
 * Imports of existing comments: a WordPress export (WXR) or a Disqus export. Authors become
 * pseudonymous members (their display name is kept; no email or address is stored), threads are keyed
 * by the page URL, replies keep their parent. Idempotent (each source record is mapped once), all in
 * one transaction, and a dry run reports what would change without changing anything.
 */

export type ImportFormat = 'wxr' | 'disqus';

/** Largest file accepted: 50 MiB. The file is streamed, never held whole. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export interface ImportOptions {
  site: string;
  format: ImportFormat;
  file: string;
  dryRun?: boolean;
  maxBytes?: number;
  /** Rewrites page URLs that start with `from` (an old domain) to start with `to`. */
  mapUrls?: [from: string, to: string][];
}

export interface ImportReport {
  format: ImportFormat;
  dryRun: boolean;
  threads: { created: number; existing: number };
  members: { created: number; existing: number };
  comments: {
    created: number;
    existing: number;
    pending: number;
    skipped: { spam: number; trash: number; pingback: number; deleted: number; empty: number };
  };
  warnings: string[];
}

export type ImportErrorCode =
  | 'import.too_large'
  | 'import.encoding'
  | 'import.malformed'
  | 'import.truncated'
  | 'import.wrong_format'
  | 'import.no_site'
  | 'import.unreadable';

export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface SourceThread {
  id: string;
  url: string;
  title: string | null;
  createdAt: string | null;
}
interface SourceComment {
  id: string;
  thread: string;
  parent: string | null;
  /** What identifies the author in the source (email, user name or name); hashed, never stored. */
  authorKey: string;
  authorName: string;
  createdAt: string;
  html: string;
  status: 'published' | 'pending' | 'spam' | 'trash' | 'pingback' | 'deleted';
}

// ---- reading the file --------------------------------------------------------------------

async function checkFile(file: string, maxBytes: number) {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw new ImportError('import.unreadable', `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`);
  }
  if (size > maxBytes) {
    throw new ImportError(
      'import.too_large',
      `The file is ${(size / 1048576).toFixed(1)} MB; at most ${(maxBytes / 1048576).toFixed(0)} MB can be imported at once. Split the export (WordPress: by date; Disqus: by forum) and import each part.`,
    );
  }
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, 512, 0);
    const b = head.subarray(0, bytesRead);
    if (
      (b[0] === 0xff && b[1] === 0xfe) ||
      (b[0] === 0xfe && b[1] === 0xff) ||
      (b[0] === 0 && b[1] === 0x3c) ||
      (b[0] === 0x3c && b[1] === 0)
    ) {
      throw new ImportError('import.encoding', 'The file is in UTF-16; Cercle imports UTF-8. Convert it first (iconv -f UTF-16 -t UTF-8).');
    }
    const decl = /^(?:\uFEFF)?<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(b.toString('latin1').replace(/^\xEF\xBB\xBF/, ''));
    if (decl && !/^utf-?8$/i.test(decl[1])) {
      throw new ImportError(
        'import.encoding',
        `The file declares the encoding ${decl[1]}; Cercle imports UTF-8. Convert it first (iconv -f ${decl[1]} -t UTF-8) and change its XML declaration.`,
      );
    }
  } finally {
    await fh.close();
  }
}

/** Streams the file through the XML parser; `handle` receives each element's path, attributes and text. */
async function parseXml(
  file: string,
  handlers: {
    open(path: string[], attrs: Record<string, string>): void;
    close(path: string[], text: string): void;
  },
): Promise<string> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const path: string[] = [];
  const texts: string[] = [];
  let root = '';
  let failure: Error | null = null;
  parser.on('error', (e) => {
    failure ??= e;
  });
  parser.on('opentag', (t: SaxesTagPlain) => {
    const name = t.name.includes(':') ? t.name.slice(t.name.indexOf(':') + 1) : t.name;
    if (!path.length) root = name;
    path.push(name);
    texts.push('');
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(t.attributes)) attrs[k.includes(':') ? k.slice(k.indexOf(':') + 1) : k] = String(v);
    handlers.open(path, attrs);
  });
  const addText = (s: string) => {
    if (texts.length) texts[texts.length - 1] += s;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    handlers.close(path, texts.pop() ?? '');
    path.pop();
  });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  const where = () => `line ${parser.line}, column ${parser.column + 1}`;
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
    let text: string;
    try {
      text = decoder.decode(chunk as Buffer, { stream: true });
    } catch {
      throw new ImportError(
        'import.encoding',
        `The file is not valid UTF-8 (near byte ${offset}). Convert it to UTF-8 first (iconv -f ISO-8859-1 -t UTF-8, for instance).`,
      );
    }
    offset += (chunk as Buffer).length;
    parser.write(text);
    if (failure) throw new ImportError('import.malformed', `The XML is malformed at ${where()}: ${cleanSaxError(failure)}.`);
  }
  try {
    decoder.decode();
  } catch {
    throw new ImportError('import.truncated', 'The file ends in the middle of a character: it is probably truncated. Export it again.');
  }
  parser.close();
  if (failure || path.length) {
    throw new ImportError(
      'import.truncated',
      `The file ends before its XML does (${path.length ? `<${path[path.length - 1]}> is never closed` : cleanSaxError(failure!)}): it is probably truncated. Export it again.`,
    );
  }
  return root;
}

const cleanSaxError = (e: Error) => e.message.replace(/^[^:]*:\d+:\d+: /, '').slice(0, 200);

// ---- the two formats -----------------------------------------------------------------------

const wpDate = (s: string) => {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})/.exec(s.trim());
  return m && !m[1].startsWith('0000') ? `${m[1]}T${m[2]}.000Z` : null;
};
const isoDate = (s: string) => {
  const t = Date.parse(s.trim());
  return Number.isNaN(t) ? null : new Date(t).toISOString();
};

async function readWxr(file: string) {
  const threads = new Map<string, SourceThread>();
  const comments: SourceComment[] = [];
  let item: Record<string, string> | null = null;
  let itemComments: Record<string, string>[] = [];
  let c: Record<string, string> | null = null;
  const root = await parseXml(file, {
    open(path) {
      const name = path[path.length - 1];
      if (name === 'item' && path.length === 3) {
        item = {};
        itemComments = [];
      } else if (name === 'comment' && item && path.length === 4) c = {};
    },
    close(path, text) {
      const name = path[path.length - 1];
      if (c && path.length === 5) c[name] = text;
      else if (item && path.length === 4 && name !== 'comment') item[name] = text;
      else if (name === 'comment' && c && item && path.length === 4) {
        itemComments.push(c);
        c = null;
      } else if (name === 'item' && item && path.length === 3) {
        const list = itemComments;
        const postId = (item.post_id ?? '').trim();
        const url = (item.link ?? '').trim();
        if (list.length && postId && url) {
          threads.set(postId, { id: postId, url, title: item.title?.trim() || null, createdAt: wpDate(item.post_date_gmt ?? '') });
          for (const x of list) {
            const approved = (x.comment_approved ?? '').trim();
            const type = (x.comment_type ?? '').trim();
            comments.push({
              id: `${postId}:${(x.comment_id ?? '').trim()}`,
              thread: postId,
              parent: x.comment_parent && x.comment_parent.trim() !== '0' ? `${postId}:${x.comment_parent.trim()}` : null,
              authorKey: (x.comment_author_email || x.comment_author || 'anonymous').trim().toLowerCase(),
              authorName: (x.comment_author ?? '').trim() || 'Anonyme',
              createdAt: wpDate(x.comment_date_gmt ?? '') ?? wpDate(x.comment_date ?? '') ?? nowIso(),
              html: x.comment_content ?? '',
              status:
                type === 'pingback' || type === 'trackback'
                  ? 'pingback'
                  : approved === '1'
                    ? 'published'
                    : approved === 'spam'
                      ? 'spam'
                      : approved === 'trash'
                        ? 'trash'
                        : 'pending',
            });
          }
        }
        item = null;
      }
    },
  });
  if (root !== 'rss')
    throw new ImportError('import.wrong_format', `This is not a WordPress export (WXR): its root element is <${root}>, not <rss>.`);
  return { threads, comments };
}

async function readDisqus(file: string) {
  const threads = new Map<string, SourceThread>();
  const comments: SourceComment[] = [];
  let cur: Record<string, string> | null = null;
  let author: Record<string, string> | null = null;
  const root = await parseXml(file, {
    open(path, attrs) {
      const name = path[path.length - 1];
      if (path.length === 2 && (name === 'thread' || name === 'post')) {
        cur = { __kind: name, __id: attrs.id ?? '' };
        author = null;
      } else if (cur && path.length === 3 && name === 'author') author = {};
      else if (cur && path.length === 3 && (name === 'thread' || name === 'parent')) cur[`__${name}`] = attrs.id ?? '';
    },
    close(path, text) {
      const name = path[path.length - 1];
      if (author && path.length === 4) author[name] = text;
      else if (cur && path.length === 3 && name !== 'author' && !(name === 'thread' || name === 'parent')) cur[name] = text;
      else if (cur && path.length === 3 && name === 'author' && author) {
        cur.__authorName = author.name ?? '';
        cur.__authorKey = author.email || author.username || author.name || 'anonymous';
      } else if (cur && path.length === 2) {
        const x = cur;
        cur = null;
        if (!x.__id) return;
        if (x.__kind === 'thread') {
          const url = (x.link ?? '').trim();
          if (url) threads.set(x.__id, { id: x.__id, url, title: x.title?.trim() || null, createdAt: isoDate(x.createdAt ?? '') });
        } else if (x.__thread) {
          const deleted = (x.isDeleted ?? '').trim() === 'true';
          const spam = (x.isSpam ?? '').trim() === 'true';
          comments.push({
            id: x.__id,
            thread: x.__thread,
            parent: x.__parent || null,
            authorKey: (x.__authorKey ?? 'anonymous').trim().toLowerCase(),
            authorName: (x.__authorName ?? '').trim() || 'Anonyme',
            createdAt: isoDate(x.createdAt ?? '') ?? nowIso(),
            html: x.message ?? '',
            status: spam ? 'spam' : deleted ? 'deleted' : 'published',
          });
        }
      }
    },
  });
  if (root !== 'disqus')
    throw new ImportError('import.wrong_format', `This is not a Disqus export: its root element is <${root}>, not <disqus>.`);
  return { threads, comments };
}

// ---- HTML to the comment markup ----------------------------------------------------------------

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  hellip: '…',
  rsquo: '’',
  lsquo: '‘',
  ldquo: '“',
  rdquo: '”',
  ndash: '–',
  mdash: '—',
  laquo: '«',
  raquo: '»',
  eacute: 'é',
  egrave: 'è',
  ecirc: 'ê',
  agrave: 'à',
  acirc: 'â',
  ccedil: 'ç',
  ocirc: 'ô',
  ucirc: 'û',
  ugrave: 'ù',
  icirc: 'î',
  iuml: 'ï',
  euml: 'ë',
  oelig: 'œ',
  Eacute: 'É',
  euro: '€',
  copy: '©',
};
const decode = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
      return n > 0 && n < 0x110000 && !(n >= 0xd800 && n < 0xe000) ? String.fromCodePoint(n) : '';
    }
    return ENTITIES[e] ?? all;
  });

/** A comment's HTML as the comment markup: paragraphs, line breaks, bold, italic, code, quotes, http(s) links; other tags dropped. */
export function htmlToMarkup(html: string): string {
  let s = html.replace(/\r\n?/g, '\n');
  s = s.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '');
  s = s.replace(/<a\b[^>]*?href\s*=\s*(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a\s*>/gi, (_a, _q, href: string, text: string) => {
    const url = decode(href).trim();
    const label = text.replace(/<[^>]*>/g, '').trim();
    if (!/^https?:\/\/[^\s<>"'`\\]+$/i.test(url)) return label;
    return !label || decode(label) === url ? url : `[${label.replace(/[[\]]/g, '')}](${url.replace(/\)/g, '%29')})`;
  });
  s = s
    .replace(/<\/?(strong|b)\b[^>]*>/gi, '**')
    .replace(/<\/?(em|i)\b[^>]*>/gi, '*')
    .replace(/<\/?code\b[^>]*>/gi, '`');
  s = s.replace(
    /<blockquote\b[^>]*>([\s\S]*?)<\/blockquote\s*>/gi,
    (_b, inner: string) =>
      `\n\n${inner
        .replace(/<\/?p\b[^>]*>/gi, '\n')
        .trim()
        .split('\n')
        .map((l) => `> ${l}`)
        .join('\n')}\n\n`,
  );
  s = s
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p\s*>/gi, '\n\n')
    .replace(/<p\b[^>]*>/gi, '\n\n')
    .replace(/<li\b[^>]*>/gi, '\n- ');
  s = s.replace(/<[^>]*>/g, '');
  s = decode(s);
  return s
    .split('\n')
    .map((l) => l.replace(/[ \t]+$/g, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ---- writing -----------------------------------------------------------------------------

class DryRun extends Error {}

const pseudonym = (site: string, source: string, key: string) =>
  `import-${source}-${createHash('sha256').update(`${site}\n${key}`).digest('base64url').slice(0, 16)}`;

function mapUrl(url: string, maps: [string, string][]) {
  for (const [from, to] of maps) if (url.startsWith(from)) return to + url.slice(from.length);
  return url;
}

/** Reads and imports a file; throws an {@link ImportError} (nothing written) when the file is refused. */
export async function importFile(store: Store, opts: ImportOptions): Promise<ImportReport> {
  const site = await store.site(opts.site);
  if (!site) throw new ImportError('import.no_site', `No site "${opts.site}".`);
  await checkFile(opts.file, opts.maxBytes ?? MAX_IMPORT_BYTES);
  const { threads, comments } = opts.format === 'wxr' ? await readWxr(opts.file) : await readDisqus(opts.file);
  const report: ImportReport = {
    format: opts.format,
    dryRun: !!opts.dryRun,
    threads: { created: 0, existing: 0 },
    members: { created: 0, existing: 0 },
    comments: { created: 0, existing: 0, pending: 0, skipped: { spam: 0, trash: 0, pingback: 0, deleted: 0, empty: 0 } },
    warnings: [],
  };
  const warn = (w: string) => {
    if (report.warnings.length < 50) report.warnings.push(w);
  };
  // Parents first; a deleted comment is kept as a tombstone only when others answer it.
  comments.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  const answered = new Set(comments.map((x) => x.parent).filter(Boolean));
  const source = opts.format;
  const siteId = site.id;
  const ms = new ModerationStore(store);
  try {
    await store.db.transaction().execute(async (tx) => {
      const mapped = async (kind: 'thread' | 'comment' | 'member', ext: string) =>
        (
          await tx
            .selectFrom('import_map')
            .select('local_id')
            .where('site_id', '=', siteId)
            .where('source', '=', source)
            .where('kind', '=', kind)
            .where('external_id', '=', ext)
            .executeTakeFirst()
        )?.local_id;
      const remember = (kind: 'thread' | 'comment' | 'member', ext: string, local: string) =>
        tx
          .insertInto('import_map')
          .values({ site_id: siteId, source, kind, external_id: ext, local_id: local, created_at: nowIso() })
          .execute();

      const threadPks = new Map<string, string>();
      const threadFor = async (id: string) => {
        if (threadPks.has(id)) return threadPks.get(id)!;
        const t = threads.get(id);
        if (!t) return undefined;
        let pk = await mapped('thread', id);
        if (pk) report.threads.existing++;
        else {
          const key = mapUrl(t.url, opts.mapUrls ?? []).slice(0, 512);
          const found = await tx.selectFrom('threads').select('pk').where('site_id', '=', siteId).where('key', '=', key).executeTakeFirst();
          if (found) {
            pk = found.pk;
            report.threads.existing++;
          } else {
            pk = newId(t.createdAt ? Date.parse(t.createdAt) : Date.now());
            await tx
              .insertInto('threads')
              .values({
                pk,
                site_id: siteId,
                key,
                title: t.title?.slice(0, 300) ?? null,
                audience: 'public',
                locked: 0,
                created_at: t.createdAt ?? nowIso(),
                // The comments imported below count themselves in (triggers of migration 012).
                published_count: 0,
                pending_count: 0,
              })
              .execute();
            report.threads.created++;
          }
          await remember('thread', id, pk);
        }
        threadPks.set(id, pk);
        return pk;
      };

      const memberPks = new Map<string, string>();
      const memberFor = async (c: SourceComment) => {
        const hostId = pseudonym(siteId, source, c.authorKey);
        if (memberPks.has(hostId)) return memberPks.get(hostId)!;
        const found = await tx
          .selectFrom('members')
          .select('pk')
          .where('site_id', '=', siteId)
          .where('host_id', '=', hostId)
          .executeTakeFirst();
        let pk = found?.pk;
        if (pk) report.members.existing++;
        else {
          pk = newId();
          await tx
            .insertInto('members')
            .values({
              pk,
              site_id: siteId,
              host_id: hostId,
              name: c.authorName.slice(0, 120),
              picture: null,
              roles: '["member"]',
              chapters: '[]',
              claims_iat: 0,
              created_at: c.createdAt,
              updated_at: c.createdAt,
            })
            .execute();
          await indexMembers(tx, siteId, [pk]);
          report.members.created++;
        }
        memberPks.set(hostId, pk);
        return pk;
      };

      const placed = new Map<string, { id: string; root: string; depth: number }>();
      for (const c of comments) {
        if (c.status === 'spam' || c.status === 'trash' || c.status === 'pingback') {
          report.comments.skipped[c.status]++;
          continue;
        }
        if (c.status === 'deleted' && !answered.has(c.id)) {
          report.comments.skipped.deleted++;
          continue;
        }
        const existing = await mapped('comment', c.id);
        if (existing) {
          const row = await tx
            .selectFrom('comments')
            .select(['id', 'root_id', 'depth'])
            .where('site_id', '=', siteId)
            .where('id', '=', existing)
            .executeTakeFirst();
          if (row) placed.set(c.id, { id: row.id, root: row.root_id ?? row.id, depth: Number(row.depth) });
          report.comments.existing++;
          continue;
        }
        const threadPk = await threadFor(c.thread);
        if (!threadPk) {
          warn(`Comment ${c.id}: its thread ${c.thread} is not in the file; skipped.`);
          continue;
        }
        let body = c.status === 'deleted' ? '' : htmlToMarkup(c.html);
        if (c.status !== 'deleted' && !body) {
          report.comments.skipped.empty++;
          continue;
        }
        if (body.length > MAX_COMMENT_LENGTH) {
          warn(`Comment ${c.id}: ${body.length} characters, cut to ${MAX_COMMENT_LENGTH}.`);
          body = body.slice(0, MAX_COMMENT_LENGTH);
        }
        const parent = c.parent ? placed.get(c.parent) : undefined;
        if (c.parent && !parent)
          warn(`Comment ${c.id}: the comment it answers (${c.parent}) is not imported; it becomes a comment on the page.`);
        const authorPk = await memberFor(c);
        const id = newId(Date.parse(c.createdAt));
        await tx
          .insertInto('comments')
          .values({
            id,
            site_id: siteId,
            thread_pk: threadPk,
            parent_id: parent?.id ?? null,
            author_pk: c.status === 'deleted' ? null : authorPk,
            body,
            status: c.status === 'deleted' ? 'deleted' : c.status,
            idempotency_key: null,
            created_at: c.createdAt,
            edited_at: null,
            deleted_at: c.status === 'deleted' ? c.createdAt : null,
            root_id: parent ? parent.root : id,
            depth: parent ? parent.depth + 1 : 0,
            useful_count: 0,
            held_reason: c.status === 'pending' ? 'premoderation' : null,
          })
          .execute();
        await remember('comment', c.id, id);
        placed.set(c.id, { id, root: parent ? parent.root : id, depth: parent ? parent.depth + 1 : 0 });
        report.comments.created++;
        if (c.status === 'pending') report.comments.pending++;
      }
      if (opts.dryRun) throw new DryRun();
      await ms.audit(tx, {
        site_id: siteId,
        actor: 'cli',
        action: 'import',
        details: { format: source, threads: report.threads, members: report.members, comments: report.comments },
      });
    });
  } catch (err) {
    if (!(err instanceof DryRun)) throw err;
  }
  return report;
}

/** The report as lines for a terminal. */
export function formatReport(r: ImportReport): string[] {
  const s = r.comments.skipped;
  return [
    `${r.dryRun ? 'Dry run (nothing written)' : 'Imported'} from ${r.format === 'wxr' ? 'WordPress (WXR)' : 'Disqus'}:`,
    `  threads:  ${r.threads.created} new, ${r.threads.existing} already there`,
    `  members:  ${r.members.created} new (pseudonymous), ${r.members.existing} already there`,
    `  comments: ${r.comments.created} new (${r.comments.pending} waiting for review), ${r.comments.existing} already imported`,
    `  skipped:  ${s.spam} spam, ${s.trash} in the bin, ${s.pingback} pingbacks, ${s.deleted} deleted, ${s.empty} empty`,
    ...r.warnings.map((w) => `  warning: ${w}`),
  ];
}
