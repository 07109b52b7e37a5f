// A separate process writing to the SQLite file without pause while a backup is taken: each
// transaction adds a site and exactly two keys, so a consistent copy has two keys for every site.
import SQLite from 'better-sqlite3';

const db = new SQLite(process.argv[2]!, { fileMustExist: true });
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
const site = db.prepare(`insert into sites (id, name, created_at) values (?, ?, ?)`);
const key = db.prepare(`insert into site_keys (kid, site_id, alg, secret, created_at) values (?, ?, 'HS256', 'x', ?)`);
const write = db.transaction((n: number) => {
  const now = new Date().toISOString();
  site.run(`load-${n}`, `Load ${n}`, now);
  key.run(`load-${n}-a`, `load-${n}`, now);
  key.run(`load-${n}-b`, `load-${n}`, now);
});
let n = 0;
const loop = () => {
  for (let i = 0; i < 20; i++) write(++n);
  if (n === 200) process.stdout.write('writing\n');
  setImmediate(loop);
};
loop();
