#!/usr/bin/env node
// Size report: min+gzip and min+brotli bytes of each built browser file, checked against its budget.
// The loader's chunks carry a content hash (`chunks/<name>-<hash>.js`): they are found by name.
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { gzipSync, brotliCompressSync } from 'node:zlib';

const KB = 1024;

/**
 * Budgets in bytes (min+gzip).
 * - `cercle.js`, the loader, is all a page loads before its first widget nears the viewport.
 * - `chunks/shared`: Lit, the client and its live stream, the provider; loaded once, with the first widget.
 * - `chunks/<widget>`: what that widget adds to the shared chunk; `chunks/common-*`: code some widgets share.
 * - `chunks/<lang>`: every widget's strings in that language, loaded only by pages in it (English is built in).
 * - The self-contained per-widget files (Lit included), for a page with one widget.
 */
const budgets = {
  'cercle.js': 1.5 * KB,
  'chunks/shared': 20 * KB,
  'chunks/discussion': 13 * KB,
  'chunks/comment-count': 1.5 * KB,
  'chunks/member-card': 10 * KB,
  'chunks/member-directory': 2.5 * KB,
  'chunks/engagement-badge': 6 * KB,
  'chunks/event-feed': 10.5 * KB,
  /** The back office: queue, settings and audit views; not on members' pages. */
  'chunks/moderation': 9.5 * KB,
  /** The organiser tools (event form, series, check-in), fetched by the event feed only for organisers. */
  'chunks/event-organiser': 11 * KB,
  'chunks/search': 6 * KB,
  'chunks/notifications': 9 * KB,
  /** The community team's and the board's pages only. */
  'chunks/insights': 10 * KB,
  'chunks/admin': 9 * KB,
  'chunks/common-*': 3 * KB,
  /** Languages: every member-facing widget's strings (nine widgets with the search and the bell). */
  'chunks/fr': 9.5 * KB,
  'chunks/de': 9.5 * KB,
  'chunks/es': 9.5 * KB,
  'discussion.js': 34 * KB,
  'member-card.js': 24 * KB,
  'engagement-badge.js': 21 * KB,
  /** A listing page's counts: provider and client, no discussion. */
  'comment-count.js': 16 * KB,
  'event-feed.js': 28 * KB,
  'moderation.js': 26 * KB,
  'search.js': 22 * KB,
  'notifications.js': 25 * KB,
  'insights.js': 24 * KB,
  'admin.js': 24 * KB,
  'locales/fr.js': 9.5 * KB,
  'locales/de.js': 9.5 * KB,
  'locales/es.js': 9.5 * KB,
};

/** The built files a budget line stands for: the file itself, or the hashed chunks of that name. */
const filesOf = (name) => {
  if (!name.startsWith('chunks/')) return existsSync('dist/' + name) ? ['dist/' + name] : [];
  if (!existsSync('dist/chunks')) return [];
  const stem = name.slice('chunks/'.length);
  const re = stem.endsWith('*') ? new RegExp(`^${stem.slice(0, -1)}.+-[\\w-]{8}\\.js$`) : new RegExp(`^${stem}-[\\w-]{8}\\.js$`);
  return readdirSync('dist/chunks')
    .filter((f) => re.test(f))
    .map((f) => 'dist/chunks/' + f);
};

let failed = false;
const rows = [];
for (const [name, budget] of Object.entries(budgets)) {
  const files = filesOf(name);
  if (!files.length) {
    rows.push(['dist/' + name, '—', '—', '—', `${(budget / KB).toFixed(1)} KB`, 'MISSING (run npm run build)']);
    failed ||= !name.endsWith('*');
    continue;
  }
  for (const file of files) {
    const data = readFileSync(file);
    const gz = gzipSync(data, { level: 9 }).length;
    const br = brotliCompressSync(data).length;
    const over = gz > budget;
    failed ||= over;
    rows.push([
      file,
      `${(data.length / KB).toFixed(1)} KB`,
      `${(gz / KB).toFixed(2)} KB`,
      `${(br / KB).toFixed(2)} KB`,
      `${(budget / KB).toFixed(1)} KB`,
      over ? 'OVER BUDGET' : 'ok',
    ]);
  }
}
const unbudgeted = existsSync('dist/chunks')
  ? readdirSync('dist/chunks').filter((f) => f.endsWith('.js') && !rows.some((r) => r[0] === 'dist/chunks/' + f))
  : [];
for (const f of unbudgeted) {
  rows.push(['dist/chunks/' + f, '', '', '', '', 'NO BUDGET (add one in scripts/size.js)']);
  failed = true;
}
const head = ['file', 'min', 'min+gzip', 'min+brotli', 'budget (gzip)', ''];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) =>
  r
    .map((c, i) => String(c).padEnd(widths[i]))
    .join('  ')
    .trimEnd();
console.log(line(head));
for (const r of rows) console.log(line(r));
if (failed) {
  console.error('size: a file is missing, has no budget or is over its budget');
  process.exit(1);
}
