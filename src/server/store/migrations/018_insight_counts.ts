import { type Kysely, type Migration, PostgresAdapter, sql } from 'kysely';

/** Ledger kinds that count as taking part (as `PARTICIPATION` in store/insights.ts, fixed here as this migration knew them). */
const KINDS = ['comment.posted', 'useful.received', 'event.attended', 'introduction.made'];

/**
 * Insights read counters kept as the ledger is written, instead of reading the ledger: who took part in each week
 * (`insight_presence`: one row per site, scope, week, way and member, scope '' being the whole site and kind '*'
 * any way), the scopes of each member's first week (`insight_newcomers`), and their counts by week
 * (`insight_counts`), so a year of a chart reads at most 53 rows. The rows are built here from the ledger; the
 * day-long cache of weeks that are over (`insight_weeks`) and the ledger indexes the charts read by go.
 */
export const m018: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('insight_presence')
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('scope', 'text', (c) => c.notNull())
      /** The Monday the week starts on (ISO date, UTC). */
      .addColumn('week', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('member_pk', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('insight_presence_pk', ['site_id', 'scope', 'week', 'kind', 'member_pk'])
      .execute();
    await db.schema
      .createTable('insight_newcomers')
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('member_pk', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('week', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('insight_newcomers_pk', ['site_id', 'member_pk', 'scope'])
      .execute();
    let counts = db.schema
      .createTable('insight_counts')
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('week', 'text', (c) => c.notNull());
    for (const c of ['members', 'posted', 'useful', 'attended', 'introduced', 'newcomers'])
      counts = counts.addColumn(c, 'integer', (col) => col.notNull().defaultTo(0));
    await counts.addPrimaryKeyConstraint('insight_counts_pk', ['site_id', 'scope', 'week']).execute();
    // A member's rows, read whole when their ledger changes (and by the backfill, to find each one's first week).
    await db.schema
      .createIndex('insight_presence_member')
      .on('insight_presence')
      .columns(['site_id', 'member_pk', 'week', 'scope', 'kind'])
      .execute();
    await backfillParticipation(db);
    await db.schema.dropTable('insight_weeks').execute();
    await db.schema.dropIndex('activities_insights_chapter').execute();
    await db.schema.dropIndex('activities_insights').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.createIndex('activities_insights').on('activities').columns(['site_id', 'created_at', 'kind', 'member_pk']).execute();
    await db.schema
      .createIndex('activities_insights_chapter')
      .on('activities')
      .columns(['site_id', 'chapter_id', 'created_at', 'kind', 'member_pk'])
      .execute();
    await db.schema
      .createTable('insight_weeks')
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
      .addColumn('chapter_id', 'text', (c) => c.notNull())
      .addColumn('week', 'text', (c) => c.notNull())
      .addColumn('counts', 'text', (c) => c.notNull())
      .addColumn('computed_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('insight_weeks_pk', ['site_id', 'chapter_id', 'week'])
      .execute();
    await db.schema.dropTable('insight_counts').execute();
    await db.schema.dropTable('insight_newcomers').execute();
    await db.schema.dropTable('insight_presence').execute();
  },
};

/**
 * Builds `insight_presence`, `insight_newcomers` and `insight_counts` from the whole ledger, into empty tables
 * (this migration; a benchmark that wrote its ledger directly).
 */
export async function backfillParticipation(db: Kysely<any>) {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const week = pg
    ? sql`to_char(date_trunc('week', cast(created_at as timestamptz) at time zone 'UTC'), 'YYYY-MM-DD')`
    : sql`date(created_at, '-6 days', 'weekday 1')`;
  const kinds = sql.join(KINDS.map((k) => sql`${k}`));
  for (const byChapter of [false, true]) {
    const scope = byChapter ? sql`chapter_id` : sql`''`;
    const where = byChapter ? sql`and chapter_id is not null` : sql``;
    await sql`insert into insight_presence (site_id, scope, week, kind, member_pk)
      select distinct site_id, ${scope}, ${week}, kind, member_pk from activities where kind in (${kinds}) ${where}`.execute(db);
  }
  await sql`insert into insight_presence (site_id, scope, week, kind, member_pk)
    select distinct site_id, scope, week, '*', member_pk from insight_presence`.execute(db);
  await sql`insert into insight_newcomers (site_id, member_pk, scope, week)
    select p.site_id, p.member_pk, p.scope, p.week from insight_presence p
    join (select site_id, member_pk, min(week) as week from insight_presence where scope = '' and kind = '*' group by site_id, member_pk) f
      on f.site_id = p.site_id and f.member_pk = p.member_pk and f.week = p.week
    where p.kind = '*'`.execute(db);
  const is = (k: string) => sql`case when kind = ${k} then 1 else 0 end`;
  await sql`insert into insight_counts (site_id, scope, week, members, posted, useful, attended, introduced, newcomers)
    select site_id, scope, week, sum(members), sum(posted), sum(useful), sum(attended), sum(introduced), sum(newcomers) from (
      select site_id, scope, week, ${is('*')} as members, ${is(KINDS[0])} as posted, ${is(KINDS[1])} as useful,
        ${is(KINDS[2])} as attended, ${is(KINDS[3])} as introduced, 0 as newcomers
      from insight_presence
      union all
      select site_id, scope, week, 0, 0, 0, 0, 0, 1 from insight_newcomers
    ) x
    group by site_id, scope, week`.execute(db);
}
