#!/usr/bin/env node
// Size report: min+gzip bytes of each built browser entry, checked against its budget.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync, brotliCompressSync } from 'node:zlib';

/** The chunk an entry imports on demand (`name-<hash>.js`), found in the entry itself. */
const chunkOf = (entry, name) => {
  const m = existsSync(entry) && new RegExp(`\\./(${name}-[\\w-]+\\.js)`).exec(readFileSync(entry, 'utf8'));
  return m ? `dist/${m[1]}` : `dist/${name}-*.js (from ${entry})`;
};

/**
 * Budgets in bytes (min+gzip), Lit included in every entry. `cercle.js` holds every element, for a
 * site that uses them all; a page with one widget loads that widget's own entry.
 */
const budgets = {
  'dist/cercle.js': 40 * 1024,
  'dist/discussion.js': 16 * 1024,
  'dist/member-card.js': 12 * 1024,
  'dist/engagement-badge.js': 10 * 1024,
  /** A listing page's counts: provider and client, no discussion. */
  'dist/comment-count.js': 14 * 1024,
  'dist/event-feed.js': 14 * 1024,
  /** The back office: provider, live stream, queue, settings and audit views; not on members' pages. */
  'dist/moderation.js': 22 * 1024,
  /** The organiser tools (event form, series, check-in; their four languages), fetched by the event feed only for organisers; Lit comes from the feed. */
  [chunkOf('dist/event-feed.js', 'organiser')]: 11 * 1024,
  /** The search box and its results: provider and client, no discussion. */
  'dist/search.js': 17 * 1024,
  /** The community team's page: provider and the insights' charts and tables; not in cercle.js. */
  'dist/insights.js': 16 * 1024,
  /** The administration views (chapters, sanctions, webhooks): provider and forms; not in cercle.js. */
  'dist/admin.js': 16 * 1024,
  /** A site header's bell: provider, live stream, list, settings and feed; no discussion (22.8 KB when added). */
  'dist/notifications.js': 24 * 1024,
  /** Languages beyond English and French, each every widget's strings, loaded only by pages in that language. */
  'dist/locales/de.js': 8 * 1024,
  'dist/locales/es.js': 8 * 1024,
};

let failed = false;
const rows = [];
for (const [file, budget] of Object.entries(budgets)) {
  if (!existsSync(file)) {
    rows.push([file, '—', '—', '—', `${(budget / 1024).toFixed(1)} KB`, 'MISSING (run npm run build)']);
    failed = true;
    continue;
  }
  const data = readFileSync(file);
  const gz = gzipSync(data, { level: 9 }).length;
  const br = brotliCompressSync(data).length;
  const over = gz > budget;
  failed ||= over;
  rows.push([
    file,
    `${(data.length / 1024).toFixed(1)} KB`,
    `${(gz / 1024).toFixed(2)} KB`,
    `${(br / 1024).toFixed(2)} KB`,
    `${(budget / 1024).toFixed(1)} KB`,
    over ? 'OVER BUDGET' : 'ok',
  ]);
}
const head = ['entry', 'min', 'min+gzip', 'min+brotli', 'budget (gzip)', ''];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) =>
  r
    .map((c, i) => String(c).padEnd(widths[i]))
    .join('  ')
    .trimEnd();
console.log(line(head));
for (const r of rows) console.log(line(r));
if (failed) {
  console.error('size: an entry is missing or over its budget');
  process.exit(1);
}
