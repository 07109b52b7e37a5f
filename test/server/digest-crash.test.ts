import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDigestJobs, runDigestJobs } from '../../src/server/notifications/digest.js';
import { newId } from '../../src/server/domain/ids.js';
import { openStore, type Store } from '../../src/server/store/store.js';

const MEMBERS = 120;
const PER_MEMBER = 3;

interface Db {
  name: string;
  args: string[];
  store: Store;
  cleanup(): Promise<void>;
}

function databases(): { name: string; open: () => Promise<Db> }[] {
  const list: { name: string; open: () => Promise<Db> }[] = [
    {
      name: 'sqlite',
      open: async () => {
        const dir = mkdtempSync(join(tmpdir(), 'cercle-digest-'));
        const file = join(dir, 'digest.db');
        const store = await openStore(file);
        return {
          name: 'sqlite',
          args: [file],
          store,
          cleanup: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })),
        };
      },
    },
  ];
  const url = process.env.DATABASE_URL;
  if (url) {
    list.push({
      name: 'postgres',
      open: async () => {
        const schema = `cercle_digest_${process.pid}_${Date.now().toString(36)}`;
        const store = await openStore(url, { schema });
        return {
          name: 'postgres',
          args: [url, schema],
          store,
          async cleanup() {
            await store.close();
            const { default: pg } = await import('pg');
            const c = new pg.Client({ connectionString: url });
            await c.connect();
            await c.query(`drop schema if exists ${schema} cascade`);
            await c.end();
          },
        };
      },
    });
  }
  return list;
}

/** Starts the worker in a child process; kills it with SIGKILL once it has committed `killAfter` jobs. */
function runAndKill(args: string[], killAfter: number): Promise<{ lines: number; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'digest-worker.ts'), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lines = 0;
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      lines += chunk.split('\n').filter((l) => l.startsWith('done ')).length;
      if (!killed && lines >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve({ lines, killed }));
  });
}

for (const { name, open } of databases()) {
  describe(`digests survive a worker killed mid-run (${name})`, () => {
    let db: Db;
    before(async () => {
      db = await open();
      const { store } = db;
      await store.createSite({ id: 'asso', name: 'Asso', origins: ['https://asso.example.fr'], settings: {} });
      await store.db
        .insertInto('webhooks')
        .values({
          id: 'wh',
          site_id: 'asso',
          url: 'http://127.0.0.1:9/hook',
          secret: 'whsec_x',
          events: JSON.stringify(['notification.digest']),
          description: null,
          active: 1,
          created_at: new Date().toISOString(),
        })
        .execute();
      const at = new Date(Date.now() - 3_600_000).toISOString();
      const actor = await store.upsertMember('asso', { sub: 'actor', name: 'Actor' } as never);
      for (let i = 0; i < MEMBERS; i++) {
        const m = await store.upsertMember('asso', { sub: `m${i}`, name: `Member ${i}` } as never);
        await store.db
          .insertInto('notifications')
          .values(
            Array.from({ length: PER_MEMBER }, (_, k) => ({
              site_id: 'asso',
              id: `ir:${newId()}:${k}`,
              member_pk: m.pk,
              kind: 'introduction.requested',
              actor_pk: actor.pk,
              thread_pk: null,
              comment_id: null,
              event_id: null,
              introduction_id: newId(),
              data: null,
              created_at: at,
              read_at: null,
              delivered_at: null,
            })),
          )
          .execute();
      }
    });
    after(() => db.cleanup());

    it(`sends each member exactly one digest after SIGKILL and a second run`, async () => {
      const { store } = db;
      assert.equal(await createDigestJobs(store, 'asso', 'daily', Date.now()), MEMBERS);
      const first = await runAndKill(db.args, 60);
      assert.ok(first.killed, 'the worker was killed before it finished');
      const left = await store.db.selectFrom('notification_jobs').select('status').where('status', '!=', 'done').execute();
      assert.ok(left.length > 0 && left.length < MEMBERS, `killed mid-run (${left.length} jobs left)`);
      // The restarted worker (here, after the killed one's lease has run out) finishes the run.
      const later = Date.now() + 10 * 60_000;
      await createDigestJobs(store, 'asso', 'daily', Date.now());
      await runDigestJobs(store, { now: () => later });
      const jobs = await store.db.selectFrom('notification_jobs').select('status').execute();
      assert.equal(jobs.length, MEMBERS);
      assert.ok(jobs.every((j) => j.status === 'done'));
      const deliveries = await store.db
        .selectFrom('webhook_deliveries')
        .select('payload')
        .where('event_type', '=', 'notification.digest')
        .execute();
      const perMember = new Map<string, number>();
      for (const d of deliveries) {
        const p = JSON.parse(d.payload) as { data: { member: { id: string }; count: number } };
        assert.equal(p.data.count, PER_MEMBER);
        perMember.set(p.data.member.id, (perMember.get(p.data.member.id) ?? 0) + 1);
      }
      assert.equal(perMember.size, MEMBERS, 'none skipped');
      assert.ok(
        [...perMember.values()].every((n) => n === 1),
        'none sent twice',
      );
      const pending = await store.db.selectFrom('notifications').select('id').where('delivered_at', 'is', null).execute();
      assert.equal(pending.length, 0);
    });
  });
}
