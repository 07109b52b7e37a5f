import { type Kysely, sql } from 'kysely';
import type { Database, LiveEventRow } from '../store/schema.js';
import type { LiveChange, LiveKind, LiveRecord } from './bus.js';

type Row = Omit<LiveEventRow, 'id'> & { id: number };

export const toRecord = (r: Row): LiveRecord => ({
  id: Number(r.id),
  site: r.site_id,
  topic: r.topic,
  kind: r.kind as LiveKind,
  ref: r.ref,
  audience: r.audience,
  version: r.version === null ? null : Number(r.version),
  at: r.created_at,
});

/** The live event log (table `live_events`): appends, catch-up reads, retention. Every query filters by site. */
export class EventLog {
  constructor(
    readonly db: Kysely<Database>,
    readonly kind: 'sqlite' | 'postgres',
  ) {}

  /**
   * Appends a change. On PostgreSQL the append takes a per-site transaction lock, so that ids of one
   * site become visible in increasing order (a reader never sees id 11 while id 10 is still to
   * commit), and `notify` runs inside the same transaction (delivered on commit, in commit order).
   */
  async append(
    siteId: string,
    change: LiveChange,
    at: string,
    notify?: (rec: LiveRecord) => { channel: string; payload: string },
  ): Promise<LiveRecord> {
    const values = {
      site_id: siteId,
      topic: change.topic,
      kind: change.kind,
      ref: change.ref,
      audience: change.audience ?? 'public',
      version: change.version ?? null,
      created_at: at,
    };
    if (this.kind === 'sqlite') {
      const { id } = await this.db.insertInto('live_events').values(values).returning('id').executeTakeFirstOrThrow();
      return toRecord({ ...values, id });
    }
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`cercle_live:${siteId}`}))`.execute(trx);
      const { id } = await trx.insertInto('live_events').values(values).returning('id').executeTakeFirstOrThrow();
      const rec = toRecord({ ...values, id });
      if (notify) {
        const n = notify(rec);
        await sql`select pg_notify(${n.channel}, ${n.payload})`.execute(trx);
      }
      return rec;
    });
  }

  /** Changes of these topics after `afterId`, oldest first. */
  async since(siteId: string, afterId: number, topics: string[], limit: number): Promise<LiveRecord[]> {
    if (!topics.length) return [];
    const rows = await this.db
      .selectFrom('live_events')
      .selectAll()
      .where('site_id', '=', siteId)
      .where('id', '>', afterId)
      .where('topic', 'in', topics)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => toRecord(r as Row));
  }

  /** The highest id ever written (0 when none) and the highest id pruned. */
  async bounds(): Promise<{ last: number; prunedThrough: number }> {
    const [max, meta] = await Promise.all([
      this.db
        .selectFrom('live_events')
        .select((eb) => eb.fn.max('id').as('max'))
        .executeTakeFirst(),
      this.db.selectFrom('live_meta').select('value').where('name', '=', 'pruned_through').executeTakeFirst(),
    ]);
    const prunedThrough = Number(meta?.value ?? 0);
    return { last: Math.max(Number(max?.max ?? 0), prunedThrough), prunedThrough };
  }

  /** Last id of one site, for a stream that starts without Last-Event-ID. */
  async lastId(siteId: string): Promise<number> {
    const r = await this.db
      .selectFrom('live_events')
      .select((eb) => eb.fn.max('id').as('max'))
      .where('site_id', '=', siteId)
      .executeTakeFirst();
    return Number(r?.max ?? 0);
  }

  /** Deletes changes older than `before` (ISO time); remembers the highest id deleted. Returns how many. */
  async prune(before: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const top = await trx
        .selectFrom('live_events')
        .select((eb) => eb.fn.max('id').as('max'))
        .where('created_at', '<', before)
        .executeTakeFirst();
      const through = Number(top?.max ?? 0);
      if (!through) return 0;
      const res = await trx.deleteFrom('live_events').where('id', '<=', through).executeTakeFirst();
      await trx
        .updateTable('live_meta')
        .set({ value: sql`case when value < ${through} then ${through} else value end` })
        .where('name', '=', 'pruned_through')
        .execute();
      return Number(res.numDeletedRows);
    });
  }
}
