// `npm run bench`: figures on this machine, printed as a table. Nothing here asserts a time.
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchMembers } from './members.js';
import { benchServer, type Stats } from './server.js';
import { benchDiscussion } from './discussion.js';
import { benchEngagement, printEngagement } from './engagement.js';
import { benchBrowserDiscussion, printBrowserDiscussion } from './browser-discussion.js';
import { benchBrowserPages, printBrowserPages } from './browser-pages.js';
import { benchEvents } from './events.js';
import { benchLive, printLive } from './live.js';
import { benchSearch } from './search.js';
import { benchBaseline } from './baseline.js';
import { benchInsights } from './insights.js';
import { benchNotifications, printNotifications } from './notifications.js';

// `--json`: every figure as one JSON object on stdout ({ section: { figure: value } }), nothing else.
const json = process.argv.includes('--json');
const figures: Record<string, unknown> = {};
if (json) {
  const log = console.log;
  console.log = () => {};
  process.on('beforeExit', () => {
    if (!printed) log(JSON.stringify(figures, null, 2));
    printed = true;
  });
}
let printed = false;

const print = (title: string, rows: Record<string, Stats | number | string | boolean>) => {
  figures[title] = rows;
  console.log(`\n## ${title}`);
  for (const [name, v] of Object.entries(rows)) {
    if (typeof v !== 'object') console.log(`- ${name}: ${v}`);
    else console.log(`- ${name}: ${v.perSecond}/s, p50 ${v.p50} ms, p99 ${v.p99} ms (n=${v.n})`);
  }
};

console.log(`# Cercle benchmarks — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
const only = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (!only || only === 'baseline') print('Cercle against a bare node:http + better-sqlite3 server (CPU per request)', await benchBaseline());
if (!only || only === 'server') {
  print('Server, SQLite file (WAL)', await benchServer('sqlite'));
  if (process.env.DATABASE_URL) print('Server, PostgreSQL', await benchServer('postgres'));
  else console.log('\n(PostgreSQL skipped: set DATABASE_URL to include it)');
}
if (!only || only === 'discussion') {
  print('Discussion, SQLite file (WAL)', await benchDiscussion('sqlite'));
  if (process.env.DATABASE_URL) print('Discussion, PostgreSQL', await benchDiscussion('postgres'));
}
if (!only || only === 'live') printLive((figures.Live = await benchLive()) as Awaited<ReturnType<typeof benchLive>>);
if (!only || only === 'members') {
  print('Member cards, SQLite file (WAL)', await benchMembers('sqlite'));
  if (process.env.DATABASE_URL) print('Member cards, PostgreSQL', await benchMembers('postgres'));
}
if (!only || only === 'search') {
  print('Search, SQLite file (WAL)', await benchSearch('sqlite'));
  if (process.env.DATABASE_URL) print('Search, PostgreSQL', await benchSearch('postgres'));
}
if (!only || only === 'events') {
  print('Events, SQLite file (WAL)', await benchEvents('sqlite'));
  if (process.env.DATABASE_URL) print('Events, PostgreSQL', await benchEvents('postgres'));
}
if (!only || only === 'engagement') {
  const sqlite = (figures['Engagement, SQLite file (WAL)'] = await benchEngagement('sqlite'));
  printEngagement('Engagement, SQLite file (WAL)', sqlite);
  if (process.env.DATABASE_URL) {
    const pg = (figures['Engagement, PostgreSQL'] = await benchEngagement('postgres'));
    printEngagement('Engagement, PostgreSQL', pg);
  }
}
if (!only || only === 'insights') {
  print('Insights, SQLite file (WAL)', await benchInsights('sqlite'));
  if (process.env.DATABASE_URL) print('Insights, PostgreSQL', await benchInsights('postgres'));
}
if (!only || only === 'notifications') {
  printNotifications('Notifications, SQLite file (WAL)', await benchNotifications('sqlite'));
  if (process.env.DATABASE_URL) printNotifications('Notifications, PostgreSQL', await benchNotifications('postgres'));
}
if (!only || only === 'browser') {
  if (existsSync(process.env.CHROME_PATH || '/usr/bin/chromium')) {
    const browser = (figures['Browser, discussion'] = await benchBrowserDiscussion());
    printBrowserDiscussion(browser);
  } else console.log('\n(Browser skipped: no Chromium at CHROME_PATH or /usr/bin/chromium)');
}
if (!only || only === 'pages') {
  if (existsSync(process.env.CHROME_PATH || '/usr/bin/chromium')) printBrowserPages(await benchBrowserPages());
  else console.log('\n(Browser pages skipped: no Chromium at CHROME_PATH or /usr/bin/chromium)');
}
