import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { main } from '../../src/server/cli/index.js';
import { openStore } from '../../src/server/store/store.js';

const run = async (...args: string[]) => {
  const lines: string[] = [];
  const code = await main(args, (s) => lines.push(s));
  return { code, out: lines.join('\n') };
};

/** Sites and keys of the load, and the database's own checks. */
function contents(file: string) {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    return {
      sites: db.prepare(`select count(*) from sites where id like 'load-%'`).pluck().get() as number,
      keys: db.prepare(`select count(*) from site_keys where site_id like 'load-%'`).pluck().get() as number,
      lonely: db
        .prepare(`select count(*) from sites s where id like 'load-%' and (select count(*) from site_keys k where k.site_id = s.id) <> 2`)
        .pluck()
        .get() as number,
      integrity: db.pragma('integrity_check', { simple: true }),
      foreignKeys: (db.pragma('foreign_key_check') as unknown[]).length,
      asso: db.prepare(`select name from sites where id = 'asso'`).pluck().get() as string | undefined,
    };
  } finally {
    db.close();
  }
}

describe('cercle backup and restore (SQLite)', () => {
  let dir: string;
  const saved = { db: process.env.CERCLE_DB, url: process.env.DATABASE_URL };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cercle-backup-'));
    process.env.CERCLE_DB = join(dir, 'live.db');
    delete process.env.DATABASE_URL;
    const store = await openStore(process.env.CERCLE_DB);
    await store.db
      .insertInto('sites')
      .values({ id: 'asso', name: 'Réseau des Dirigeants', origins: '[]', settings: '{}', created_at: new Date().toISOString() })
      .execute();
    await store.close();
  });
  after(() => {
    process.env.CERCLE_DB = saved.db;
    if (saved.url) process.env.DATABASE_URL = saved.url;
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a consistent backup while another process writes, and restores it into a new file', async () => {
    const writer = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'backup-writer.ts'), process.env.CERCLE_DB!], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((ok, fail) => {
        writer.stdout.on('data', (b: Buffer) => b.toString().includes('writing') && ok());
        writer.once('exit', (code) => fail(new Error(`writer exited (${code})`)));
      });
      const backup = join(dir, 'backup.db');
      const r = await run('backup', backup);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /Backed up .*live\.db to .*backup\.db/);
      // The writer kept going during and after the copy: the live database moved past the backup.
      assert.equal(writer.exitCode, null);
      const copy = contents(backup);
      assert.ok(copy.sites >= 200, `${copy.sites} sites in the backup`);
      assert.equal(copy.keys, copy.sites * 2);
      assert.equal(copy.lonely, 0);
      assert.equal(copy.integrity, 'ok');
      assert.equal(copy.foreignKeys, 0);
      assert.equal(copy.asso, 'Réseau des Dirigeants');
      assert.ok(contents(process.env.CERCLE_DB!).sites > copy.sites);
      // A backup never overwrites a file.
      await assert.rejects(run('backup', backup), /already exists/);

      // Restore into a new database file.
      process.env.CERCLE_DB = join(dir, 'restored.db');
      const restored = await run('restore', backup);
      assert.equal(restored.code, 0, restored.out);
      assert.deepEqual(contents(process.env.CERCLE_DB), copy);
      const store = await openStore(process.env.CERCLE_DB);
      assert.equal(
        (await store.db.selectFrom('sites').select('name').where('id', '=', 'asso').executeTakeFirst())?.name,
        'Réseau des Dirigeants',
      );
      await store.close();
    } finally {
      writer.kill();
      process.env.CERCLE_DB = join(dir, 'live.db');
    }
  });

  it('refuses to restore over a database in use unless --force, and keeps the replaced one', async () => {
    const backup = join(dir, 'backup.db');
    const target = join(dir, 'in-use.db');
    process.env.CERCLE_DB = target;
    const server = await openStore(target);
    try {
      await assert.rejects(run('restore', backup), /in use .*--force/);
      assert.equal(contents(target).sites, 0);
      const forced = await run('restore', backup, '--force');
      assert.equal(forced.code, 0);
      assert.match(forced.out, /previous database is kept as .*in-use\.db\.before-restore-/);
      assert.ok(readdirSync(dir).some((f) => f.startsWith('in-use.db.before-restore-')));
      assert.ok(contents(target).sites >= 200);
    } finally {
      await server.close();
      process.env.CERCLE_DB = join(dir, 'live.db');
    }
  });

  it('refuses garbage, a foreign SQLite file and a missing file with a clear message, losing nothing', async () => {
    const before = contents(process.env.CERCLE_DB!);
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'this is not a database, just some text that is long enough to look like a header…'.repeat(100));
    await assert.rejects(run('restore', garbage), /garbage\.db is not a Cercle database \(not a SQLite file\)/);
    const foreign = join(dir, 'foreign.db');
    const other = new SQLite(foreign);
    other.exec('create table notes (id integer primary key, text text)');
    other.close();
    await assert.rejects(run('restore', foreign), /foreign\.db is a SQLite database, but not a Cercle database/);
    await assert.rejects(run('restore', join(dir, 'missing.db')), /missing\.db does not exist/);
    await assert.rejects(run('restore'), /restore needs one argument/);
    assert.deepEqual(contents(process.env.CERCLE_DB!), before);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('.partial-')),
      [],
    );
    assert.ok(existsSync(process.env.CERCLE_DB!));
  });

  it('prints the pg_dump and pg_restore lines for PostgreSQL', async () => {
    process.env.DATABASE_URL = 'postgres://cercle@db.example:5432/cercle';
    try {
      const b = await run('backup', 'cercle.dump');
      assert.equal(b.code, 2);
      assert.match(b.out, /pg_dump --format=custom --no-owner --file=cercle\.dump postgres:\/\/cercle@db\.example:5432\/cercle/);
      const r = await run('restore', 'cercle.dump');
      assert.match(r.out, /pg_restore --no-owner --dbname=postgres:\/\/cercle@db\.example:5432\/cercle cercle\.dump/);
    } finally {
      delete process.env.DATABASE_URL;
    }
  });
});
