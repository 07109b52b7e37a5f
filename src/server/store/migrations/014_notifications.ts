import { type Kysely, type Migration } from 'kysely';

/**
 * Notifications: what each member is told (one row per member and subject, its id made from them so
 * that a repeated fan-out adds nothing), their preferences, the threads they follow, the mail outbox
 * (claimed with a lease, retried with backoff), the digest jobs (one per member and period, leased: a
 * worker killed mid-run leaves a job the next run takes again) and the site's unsubscribe secret.
 */
export const m014: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('notifications')
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('member_pk', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('actor_pk', 'text')
      .addColumn('thread_pk', 'text')
      .addColumn('comment_id', 'text')
      .addColumn('event_id', 'text')
      .addColumn('introduction_id', 'text')
      /** JSON object: what the kind needs beyond the references (a badge's name, an event's changes). */
      .addColumn('data', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('read_at', 'text')
      /** When it went beyond the page (webhook, mail or digest); null while it waits. */
      .addColumn('delivered_at', 'text')
      .addPrimaryKeyConstraint('notifications_pk', ['site_id', 'id'])
      .execute();
    await db.schema.createIndex('notifications_member').on('notifications').columns(['site_id', 'member_pk', 'created_at']).execute();
    await db.schema.createIndex('notifications_comment').on('notifications').columns(['site_id', 'comment_id']).execute();
    await db.schema.createIndex('notifications_pending').on('notifications').columns(['site_id', 'delivered_at', 'member_pk']).execute();
    await db.schema.createIndex('notifications_read').on('notifications').columns(['site_id', 'read_at']).execute();

    await db.schema
      .createTable('notification_prefs')
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('member_pk', 'text', (c) => c.notNull())
      /** JSON object: the kinds whose setting differs from the default. */
      .addColumn('kinds', 'text', (c) => c.notNull().defaultTo('{}'))
      /** `,kind,kind,`: the kinds not shown in the page at all (filtered in SQL by the fan-out). */
      .addColumn('muted', 'text', (c) => c.notNull().defaultTo(','))
      .addColumn('frequency', 'text', (c) => c.notNull())
      .addColumn('language', 'text')
      /** The address, only while the member opts in to mail. */
      .addColumn('email', 'text')
      .addColumn('feed_token_hash', 'text')
      .addColumn('feed_created_at', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('notification_prefs_pk', ['site_id', 'member_pk'])
      .execute();
    await db.schema.createIndex('notification_prefs_feed').on('notification_prefs').column('feed_token_hash').unique().execute();

    await db.schema
      .createTable('thread_follows')
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('thread_pk', 'text', (c) => c.notNull())
      .addColumn('member_pk', 'text', (c) => c.notNull())
      /** 1: follows; 0: stopped following (posting again does not follow again). */
      .addColumn('following', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('thread_follows_pk', ['site_id', 'thread_pk', 'member_pk'])
      .execute();
    await db.schema.createIndex('thread_follows_member').on('thread_follows').columns(['site_id', 'member_pk']).execute();

    await db.schema
      .createTable('mail_outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('member_pk', 'text')
      /** What makes this message unique (a notification, a digest): never queued twice. */
      .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
      .addColumn('to_address', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('text_body', 'text', (c) => c.notNull())
      .addColumn('html_body', 'text', (c) => c.notNull())
      /** JSON object of extra headers (List-Unsubscribe…). */
      .addColumn('headers', 'text', (c) => c.notNull())
      /** pending → sending (claimed, lease) → sent | failed; pending again between attempts. */
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'text')
      .addColumn('claimed_at', 'text')
      .addColumn('lease_until', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text')
      .execute();
    await db.schema.createIndex('mail_outbox_due').on('mail_outbox').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('mail_outbox_member').on('mail_outbox').columns(['site_id', 'member_pk']).execute();

    await db.schema
      .createTable('notification_jobs')
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('member_pk', 'text', (c) => c.notNull())
      /** `daily:2026-12-07`, `weekly:2026-W50`. */
      .addColumn('period_key', 'text', (c) => c.notNull())
      /** pending → running (lease) → done. */
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('lease_until', 'text')
      /** Which run claimed it (a random token): a batch is claimed in one statement, then read back by it. */
      .addColumn('claimed_by', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('done_at', 'text')
      .addPrimaryKeyConstraint('notification_jobs_pk', ['site_id', 'member_pk', 'period_key'])
      .execute();
    await db.schema.createIndex('notification_jobs_due').on('notification_jobs').columns(['status', 'lease_until']).execute();

    await db.schema
      .createTable('notification_sites')
      .addColumn('site_id', 'text', (c) => c.primaryKey())
      /** Signs unsubscribe links (HMAC-SHA256); never leaves the server. */
      .addColumn('unsubscribe_secret', 'text', (c) => c.notNull())
      /** The last sweep (reminders, digests, pruning) any instance began, and until when it holds it. */
      .addColumn('sweep_until', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    for (const t of ['notification_sites', 'notification_jobs', 'mail_outbox', 'thread_follows', 'notification_prefs', 'notifications']) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};
