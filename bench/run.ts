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

const print = (title: string, rows: Record<string, Stats | number>) => {
  console.log(`\n## ${title}`);
  for (const [name, v] of Object.entries(rows)) {
    if (typeof v === 'number') console.log(`- ${name}: ${v}`);
    else console.log(`- ${name}: ${v.perSecond}/s, p50 ${v.p50} ms, p99 ${v.p99} ms (n=${v.n})`);
  }
};

console.log(`# Cercle benchmarks — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
const only = process.argv[2];
if (!only || only === 'server') {
  print('Server, SQLite file (WAL)', await benchServer('sqlite'));
  if (process.env.DATABASE_URL) print('Server, PostgreSQL', await benchServer('postgres'));
  else console.log('\n(PostgreSQL skipped: set DATABASE_URL to include it)');
}
if (!only || only === 'discussion') {
  print('Discussion, SQLite file (WAL)', await benchDiscussion('sqlite'));
  if (process.env.DATABASE_URL) print('Discussion, PostgreSQL', await benchDiscussion('postgres'));
}
if (!only || only === 'live') printLive(await benchLive());
if (!only || only === 'members') {
  print('Member cards, SQLite file (WAL)', await benchMembers('sqlite'));
  if (process.env.DATABASE_URL) print('Member cards, PostgreSQL', await benchMembers('postgres'));
}
if (!only || only === 'events') {
  print('Events, SQLite file (WAL)', await benchEvents('sqlite'));
  if (process.env.DATABASE_URL) print('Events, PostgreSQL', await benchEvents('postgres'));
}
if (!only || only === 'engagement') {
  printEngagement('Engagement, SQLite file (WAL)', await benchEngagement('sqlite'));
  if (process.env.DATABASE_URL) printEngagement('Engagement, PostgreSQL', await benchEngagement('postgres'));
}
if (!only || only === 'browser') {
  if (existsSync(process.env.CHROME_PATH || '/usr/bin/chromium')) printBrowserDiscussion(await benchBrowserDiscussion());
  else console.log('\n(Browser skipped: no Chromium at CHROME_PATH or /usr/bin/chromium)');
}
if (!only || only === 'pages') {
  if (existsSync(process.env.CHROME_PATH || '/usr/bin/chromium')) printBrowserPages(await benchBrowserPages());
  else console.log('\n(Browser pages skipped: no Chromium at CHROME_PATH or /usr/bin/chromium)');
}
