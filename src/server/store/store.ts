import { DEFAULT_CHAPTER_TERM, DEFAULT_MAX_COMMENT_LENGTH, DEFAULT_REACTIONS, type ChapterTerm } from '../../contract/defaults.js';
import { newTextSecret, secretProblem, type SecretEncoding } from '../auth/keys.js';
import type { Kysely, Transaction } from 'kysely';
import type { Db, OpenOptions } from './db.js';
import type { CommentRow, Database, MemberRow, SiteKeyRow, SiteRow, ThreadRow } from './schema.js';
import { hostKey, newId, nowIso } from '../domain/ids.js';
import { insertEvent as insertEventRow, putRsvp, type NewEventRow } from './events.js';
import { recordInLedger, removeFromLedger, type LedgerOptions } from './engagement.js';
import { indexMembers } from './search.js';

export interface SiteSettings {
  /** Where the reader signs in on the host site. */
  loginUrl: string | null;
  /** Public threads and events readable without a token. */
  publicRead: boolean;
  /**
   * Member cards (and engagement) readable without a token, for members whose `listed` is `public`.
   * Off by default: signed-out readers meet members only as authors of what they can read.
   */
  publicProfiles: boolean;
  reactions: string[];
  maxCommentLength: number;
  editWindowSeconds: number;
  /** Labels of reaction kinds beyond the defaults, by language: `{ celebrate: { fr: 'Bravo', en: 'Well done' } }`. */
  reactionLabels?: Record<string, Record<string, string>>;
  /** Comments that wait for a moderator: nobody's, everyone's, or those of members who never had one published. */
  premoderation: 'off' | 'everyone' | 'first-time';
  /** Words or phrases (case and accents ignored) that hold a comment for review. */
  heldWords: string[];
  /** What the association calls its local groups, in every widget and language. */
  chapterTerm?: ChapterTerm;
  /** Write limits per member (and 3× that per IPv4 address or IPv6 /64); `false` turns them off. */
  rateLimits: RateLimits | false;
  /** Words or phrases (case and accents ignored) that refuse a comment outright. */
  blockedWords?: string[];
  /** An Akismet-compatible spam check; absent (the default): nothing is ever sent anywhere. */
  spamCheck?: SpamCheckSettings | null;
  /** Notifications beyond the page: the site's mail server, retention, default language. */
  notifications?: SiteNotificationSettings;
}

export interface SiteNotificationSettings {
  /** The site's own mail server; absent or null: notifications go through the host's webhooks. */
  smtp?: { host: string; port: number; secure: boolean; user: string | null; password: string | null; from: string } | null;
  /** Read notifications are pruned after this many days (default 90). */
  retentionDays?: number;
  language?: 'en' | 'fr' | 'de' | 'es';
  preferencesUrl?: string | null;
}

export interface SpamCheckSettings {
  provider: 'akismet';
  /** The service's base URL (Akismet: https://rest.akismet.com). */
  endpoint: string;
  apiKey: string;
  /** The site's front page, as the service knows it (`blog`). */
  blog: string;
}

export interface RateLimits {
  /** Comments (posts and edits) a member may send at once… */
  commentBurst: number;
  /** …and how many they earn back each minute. */
  commentsPerMinute: number;
  /** Other writes (reactions, flags) at once, and per minute. */
  writeBurst: number;
  writesPerMinute: number;
}

export const DEFAULT_SETTINGS: SiteSettings = {
  loginUrl: null,
  publicRead: true,
  publicProfiles: false,
  reactions: [...DEFAULT_REACTIONS],
  maxCommentLength: DEFAULT_MAX_COMMENT_LENGTH,
  editWindowSeconds: 15 * 60,
  premoderation: 'off',
  chapterTerm: DEFAULT_CHAPTER_TERM,
  heldWords: [],
  rateLimits: { commentBurst: 10, commentsPerMinute: 4, writeBurst: 60, writesPerMinute: 60 },
  blockedWords: [],
  spamCheck: null,
};

export interface Site {
  id: string;
  name: string;
  origins: string[];
  settings: SiteSettings;
  createdAt: string;
}

export type KeyAlg = SiteKeyRow['alg'];

export interface NewKey {
  alg: KeyAlg;
  /**
   * HS256: a secret the site already signs with (an import); left out, a fresh one is made and returned
   * in the row, used as text.
   */
  secret?: string;
  /** How `secret` becomes the HMAC key: `text` (as written) or `base64url` (decoded; the default for a given secret, as before). */
  encoding?: SecretEncoding;
  publicJwk?: Record<string, unknown>;
  jwksUrl?: string;
}

export interface CommentWithAuthor extends CommentRow {
  author_host_id: string | null;
  author_name: string | null;
  author_picture: string | null;
  author_chapters: string | null;
}

/** Event queries live in `events.ts`. */
export type { EventView as EventWithCounts } from './events.js';

const toSite = (r: SiteRow): Site => ({
  id: r.id,
  name: r.name,
  origins: JSON.parse(r.origins),
  settings: { ...DEFAULT_SETTINGS, ...JSON.parse(r.settings) },
  createdAt: r.created_at,
});

/** A fresh HS256 secret: 32 random bytes, base64url (used as text by keys made since `secret_encoding`). */
export const newSecret = newTextSecret;

export interface MemberClaims {
  sub: string;
  iat: number;
  name?: string;
  picture?: string;
  roles?: string[];
  chapters?: string[];
  /** When the member joined the association (ISO date), as the host site says. */
  since?: string;
}

type Exec = Kysely<Database> | Transaction<Database>;

/** Every query of the server, over one Kysely instance that is either SQLite or PostgreSQL. Every query filters by site. */
export class Store {
  readonly db: Kysely<Database>;
  readonly kind: Db['kind'];

  constructor(private readonly handle: Db) {
    this.db = handle.kysely;
    this.kind = handle.kind;
  }

  close() {
    return this.handle.close();
  }

  /** Brings the planner's statistics up to date (see `Db.optimize`); the server runs it hourly. */
  optimize(opts: { full?: boolean } = {}) {
    return this.handle.optimize(opts);
  }

  /** SQLite: prepared-statement counters (statements run, statements compiled). */
  get statements() {
    return this.handle.statements;
  }

  // ---- sites and keys ------------------------------------------------------

  async createSite(input: { id: string; name: string; origins: string[]; settings?: Partial<SiteSettings> }): Promise<Site> {
    const row: SiteRow = {
      id: input.id,
      name: input.name,
      origins: JSON.stringify(input.origins),
      settings: JSON.stringify({ ...DEFAULT_SETTINGS, ...input.settings }),
      created_at: nowIso(),
    };
    await this.db.insertInto('sites').values(row).execute();
    return toSite(row);
  }

  async site(id: string): Promise<Site | undefined> {
    const r = await this.db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toSite(r);
  }

  async sites(): Promise<Site[]> {
    const rows = await this.db.selectFrom('sites').selectAll().orderBy('id').execute();
    return rows.map(toSite);
  }

  async updateSite(id: string, patch: { name?: string; origins?: string[]; settings?: Partial<SiteSettings> }) {
    const site = await this.site(id);
    if (!site) return undefined;
    await this.db
      .updateTable('sites')
      .set({
        name: patch.name ?? site.name,
        origins: JSON.stringify(patch.origins ?? site.origins),
        settings: JSON.stringify({ ...site.settings, ...patch.settings }),
      })
      .where('id', '=', id)
      .execute();
    return this.site(id);
  }

  /**
   * Adds a key that verifies the site's tokens. HS256 without a secret makes a fresh text secret (returned
   * in the row, to show once); with one, it must be a usable secret (`secretProblem`) or this throws.
   */
  async addKey(siteId: string, key: NewKey): Promise<SiteKeyRow> {
    let secret: string | null = null;
    let encoding: SecretEncoding = 'text';
    if (key.alg === 'HS256') {
      if (key.secret === undefined) secret = newTextSecret();
      else {
        encoding = key.encoding ?? 'base64url';
        const wrong = secretProblem(key.secret, encoding);
        if (wrong) throw new Error(wrong);
        secret = key.secret;
      }
    }
    const ownKid = key.publicJwk && typeof key.publicJwk.kid === 'string' ? key.publicJwk.kid : null;
    const row: SiteKeyRow = {
      kid: `${siteId}-${newId().slice(-12)}`,
      site_id: siteId,
      alg: key.alg,
      secret,
      secret_encoding: encoding,
      public_jwk: key.publicJwk ? JSON.stringify(key.publicJwk) : null,
      jwk_kid: ownKid,
      jwks_url: key.jwksUrl ?? null,
      created_at: nowIso(),
      retires_at: null,
    };
    await this.db.insertInto('site_keys').values(row).execute();
    return row;
  }

  /** Keys that still verify tokens (not retired). */
  async activeKeys(siteId: string, at = nowIso()): Promise<SiteKeyRow[]> {
    return this.db
      .selectFrom('site_keys')
      .selectAll()
      .where('site_id', '=', siteId)
      .where((eb) => eb.or([eb('retires_at', 'is', null), eb('retires_at', '>', at)]))
      .orderBy('created_at', 'desc')
      .execute();
  }

  /**
   * Replaces the site's HS256 secret with a fresh text secret: the new one verifies at once, the old ones keep verifying
   * for `overlapSeconds` so tokens already issued stay valid until they expire.
   */
  async rotateSecret(siteId: string, overlapSeconds = 3600): Promise<SiteKeyRow> {
    return this.db.transaction().execute(async (tx) => {
      const retires = nowIso(Date.now() + overlapSeconds * 1000);
      await tx
        .updateTable('site_keys')
        .set({ retires_at: retires })
        .where('site_id', '=', siteId)
        .where('alg', '=', 'HS256')
        .where('retires_at', 'is', null)
        .execute();
      const row: SiteKeyRow = {
        kid: `${siteId}-${newId().slice(-12)}`,
        site_id: siteId,
        alg: 'HS256',
        secret: newTextSecret(),
        secret_encoding: 'text',
        public_jwk: null,
        jwk_kid: null,
        jwks_url: null,
        created_at: nowIso(),
        retires_at: null,
      };
      await tx.insertInto('site_keys').values(row).execute();
      return row;
    });
  }

  // ---- chapters and members ------------------------------------------------

  async upsertChapter(siteId: string, id: string, name: string) {
    await this.db
      .insertInto('chapters')
      .values({ site_id: siteId, id, name })
      .onConflict((oc) => oc.columns(['site_id', 'id']).doUpdateSet({ name }))
      .execute();
  }

  /**
   * Creates the member on first sight; updates display claims only when this token is at
   * least as new as the one that last set them (the newest `iat` wins).
   */
  async upsertMember(siteId: string, claims: MemberClaims): Promise<MemberRow> {
    const now = nowIso();
    const fields = {
      name: claims.name ?? claims.sub,
      picture: claims.picture ?? null,
      roles: JSON.stringify(claims.roles ?? ['member']),
      chapters: JSON.stringify(claims.chapters ?? []),
      member_since: claims.since ?? null,
    };
    const existing = await this.memberByHostId(siteId, claims.sub);
    if (!existing) {
      const row: MemberRow = {
        pk: newId(),
        site_id: siteId,
        host_id: claims.sub,
        ...fields,
        claims_iat: claims.iat,
        created_at: now,
        updated_at: now,
      };
      const r = await this.db
        .insertInto('members')
        .values(row)
        .onConflict((oc) => oc.columns(['site_id', 'host_id']).doNothing())
        .executeTakeFirst();
      // A member who erased their data and comes back through their host session starts unlisted:
      // erasing took them out of the directory, and only they may put themselves back.
      if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1) {
        const erased = await this.db
          .selectFrom('member_erasures')
          .select('host_key')
          .where('site_id', '=', siteId)
          .where('host_key', '=', hostKey(siteId, claims.sub))
          .executeTakeFirst();
        if (erased) {
          await this.db
            .insertInto('member_profiles')
            .values({
              member_pk: row.pk,
              site_id: siteId,
              expertise: '[]',
              visibility: JSON.stringify({ listed: 'private' }),
              updated_at: now,
            })
            .onConflict((oc) => oc.column('member_pk').doNothing())
            .execute();
        }
        await indexMembers(this.db, siteId, [row.pk]);
      }
      return (await this.memberByHostId(siteId, claims.sub))!;
    }
    const changed =
      existing.name !== fields.name ||
      existing.picture !== fields.picture ||
      existing.roles !== fields.roles ||
      existing.chapters !== fields.chapters ||
      existing.member_since !== fields.member_since;
    if (claims.iat >= existing.claims_iat && changed) {
      await this.db
        .updateTable('members')
        .set({ ...fields, claims_iat: claims.iat, updated_at: now })
        .where('pk', '=', existing.pk)
        .where('claims_iat', '<=', claims.iat)
        .execute();
      // The name and the chapters are what the directory's index holds of the member row.
      if (existing.name !== fields.name || existing.chapters !== fields.chapters) await indexMembers(this.db, siteId, [existing.pk]);
      return { ...existing, ...fields, claims_iat: claims.iat, updated_at: now };
    }
    return existing;
  }

  memberByHostId(siteId: string, hostId: string): Promise<MemberRow | undefined> {
    return this.db.selectFrom('members').selectAll().where('site_id', '=', siteId).where('host_id', '=', hostId).executeTakeFirst();
  }

  // ---- threads and comments ------------------------------------------------

  thread(siteId: string, key: string): Promise<ThreadRow | undefined> {
    return this.db.selectFrom('threads').selectAll().where('site_id', '=', siteId).where('key', '=', key).executeTakeFirst();
  }

  async ensureThread(siteId: string, key: string, init: { title?: string | null; audience?: string } = {}, tx: Exec = this.db) {
    const found = await tx.selectFrom('threads').selectAll().where('site_id', '=', siteId).where('key', '=', key).executeTakeFirst();
    if (found) return found;
    const row: ThreadRow = {
      pk: newId(),
      site_id: siteId,
      key,
      title: init.title ?? null,
      audience: init.audience ?? 'public',
      locked: 0,
      created_at: nowIso(),
      published_count: 0,
      pending_count: 0,
    };
    await tx
      .insertInto('threads')
      .values(row)
      .onConflict((oc) => oc.columns(['site_id', 'key']).doNothing())
      .execute();
    return await tx.selectFrom('threads').selectAll().where('site_id', '=', siteId).where('key', '=', key).executeTakeFirstOrThrow();
  }

  async setThread(siteId: string, key: string, patch: { audience?: string; locked?: boolean; title?: string }) {
    await this.ensureThread(siteId, key);
    await this.db
      .updateTable('threads')
      .set({
        ...(patch.audience !== undefined ? { audience: patch.audience } : {}),
        ...(patch.locked !== undefined ? { locked: patch.locked ? 1 : 0 } : {}),
        ...(patch.title !== undefined ? { title: patch.title } : {}),
      })
      .where('site_id', '=', siteId)
      .where('key', '=', key)
      .execute();
    return this.thread(siteId, key);
  }

  async comment(siteId: string, id: string): Promise<CommentWithAuthor | undefined> {
    return this.db
      .selectFrom('comments as c')
      .leftJoin('members as m', 'm.pk', 'c.author_pk')
      .selectAll('c')
      .select(['m.host_id as author_host_id', 'm.name as author_name', 'm.picture as author_picture', 'm.chapters as author_chapters'])
      .where('c.site_id', '=', siteId)
      .where('c.id', '=', id)
      .executeTakeFirst() as Promise<CommentWithAuthor | undefined>;
  }

  /**
   * Stores a comment once per (author, idempotency key): a retry with the same key (and the same
   * request hash, when both have one) returns the comment stored the first time, flagged `replayed`;
   * the key with another request is left to the unique index, which refuses it.
   */
  async insertComment(
    row: Omit<
      CommentRow,
      'id' | 'created_at' | 'edited_at' | 'deleted_at' | 'root_id' | 'depth' | 'useful_count' | 'held_reason' | 'idempotency_hash'
    > & { held_reason?: string | null; idempotency_hash?: string | null },
    tx: Exec = this.db,
  ): Promise<{ id: string; replayed: boolean }> {
    const sameRequest = (prior: { idempotency_hash: string | null }) =>
      !prior.idempotency_hash || !row.idempotency_hash || prior.idempotency_hash === row.idempotency_hash;
    if (row.idempotency_key) {
      const prior = await tx
        .selectFrom('comments')
        .select(['id', 'idempotency_hash'])
        .where('site_id', '=', row.site_id)
        .where('author_pk', '=', row.author_pk)
        .where('idempotency_key', '=', row.idempotency_key)
        .executeTakeFirst();
      if (prior && sameRequest(prior)) return { id: prior.id, replayed: true };
    }
    const id = newId();
    // Where it sits in its tree: a reply shares its parent's top-level comment, one level deeper.
    const parent = row.parent_id
      ? await tx
          .selectFrom('comments')
          .select(['id', 'root_id', 'depth'])
          .where('site_id', '=', row.site_id)
          .where('id', '=', row.parent_id)
          .executeTakeFirst()
      : undefined;
    try {
      await tx
        .insertInto('comments')
        .values({
          ...row,
          id,
          created_at: nowIso(),
          edited_at: null,
          deleted_at: null,
          held_reason: row.held_reason ?? null,
          idempotency_hash: row.idempotency_hash ?? null,
          root_id: parent ? (parent.root_id ?? parent.id) : id,
          depth: parent ? Number(parent.depth) + 1 : 0,
          useful_count: 0,
        })
        .execute();
    } catch (err) {
      // Two copies of one retried post raced: the unique index kept the first.
      if (row.idempotency_key && tx === this.db) {
        const prior = await this.db
          .selectFrom('comments')
          .select(['id', 'idempotency_hash'])
          .where('site_id', '=', row.site_id)
          .where('author_pk', '=', row.author_pk)
          .where('idempotency_key', '=', row.idempotency_key)
          .executeTakeFirst();
        if (prior && sameRequest(prior)) return { id: prior.id, replayed: true };
      }
      throw err;
    }
    return { id, replayed: false };
  }

  /**
   * Records an act in the engagement ledger, once per (member, kind, ref): a replay changes
   * nothing. The member's level and badges are brought up to date in the same transaction.
   * Refs: the id of the thing (comment id, event id, introduction id); where one thing earns a
   * member several of a kind, `<thing id>:<qualifier>` (e.g. useful.received: `<comment id>:<reactor pk>`).
   * `opts.tx` runs it inside the caller's transaction; `opts.at` backdates (imports, seeds);
   * `opts.chapter` ties it to a chapter (an event's chapter is found by itself).
   */
  async recordActivity(siteId: string, memberPk: string, kind: string, ref: string, opts: LedgerOptions = {}) {
    return recordInLedger(this, siteId, memberPk, kind, ref, opts);
  }

  /**
   * Removes what a thing earned: the activities of these kinds whose ref is `ref` or starts with
   * `ref:` (a deleted comment takes its "comment.posted", "reply.received" and "useful.received"
   * with it). The members' awards are recomputed in the same transaction. Returns how many went.
   */
  async removeActivity(siteId: string, kinds: string | string[], ref: string, opts: { tx?: Exec } = {}) {
    return removeFromLedger(this, siteId, Array.isArray(kinds) ? kinds : [kinds], ref, opts);
  }

  // ---- events (queries in events.ts) ------------------------------------------

  /** Stores an event as given (seeds, imports, tests); the API creates events through the events feature. */
  insertEvent(row: NewEventRow) {
    return insertEventRow(this, row);
  }

  /** Writes an answer as given, without capacity or waitlist checks (seeds, imports, tests). */
  setRsvp(siteId: string, eventId: string, memberPk: string, status: 'going' | 'maybe' | 'declined' | 'waitlist', guests = 0) {
    return putRsvp(this, siteId, eventId, memberPk, status, guests);
  }
}

export async function openStore(url?: string, opts: OpenOptions = {}) {
  const { openDb } = await import('./db.js');
  return new Store(await openDb(url, opts));
}
