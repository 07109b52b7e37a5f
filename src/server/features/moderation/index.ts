import type { AdminSettings, AuditEntry, QueueItem, Sanction, SettingsPatch, Webhook, WebhookEventType } from '../../../contract/moderation.js';
import { moderationRoutes as m } from '../../../contract/moderation.js';
import type { Comment, Event, Thread } from '../../../contract/resources.js';
import type { Introduction } from '../../../contract/members.js';
import { routes } from '../../../contract/routes.js';
import type { HandlerContext, Registrar } from '../../http/types.js';
import { newId, nowIso } from '../../domain/ids.js';
import { commentOut, decodeCursor, encodeCursor, memberSummary, threadOut } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import { clientAddress } from '../../http/ratelimit.js';
import { spamCheckFor } from '../../comments/spam.js';
import { DiscussionStore } from '../../store/discussion.js';
import { ModerationStore, type AuditRow, type ModScope } from '../../store/moderation.js';
import type { Site, Store } from '../../store/store.js';
import type { Viewer } from '../../http/viewer.js';
import { checkWebhookUrl, newWebhookSecret, webhooksOf } from '../../webhooks/webhooks.js';
import { heldWord } from '../discussion/index.js';

type Ctx = HandlerContext;

// ---- who may do what ------------------------------------------------------------------

const isAdmin = (v: Viewer | null) => !!v?.roles.includes('admin');

/** What the viewer moderates: the whole site (role moderator or admin), or the chapters of their `moderates` claim. */
export function scopeOf(v: Viewer | null): ModScope {
  if (!v) return { siteWide: false, chapters: [] };
  const siteWide = v.roles.includes('moderator') || v.roles.includes('admin');
  return { siteWide, chapters: siteWide ? [] : [...new Set(v.moderates ?? [])] };
}

function requireModerator(v: Viewer | null): ModScope {
  const scope = scopeOf(v);
  if (!scope.siteWide && !scope.chapters.length) {
    throw problem(403, 'moderation.forbidden', 'Only moderators can do this', 'The token carries neither the moderator role nor chapters to moderate.');
  }
  return scope;
}

function requireAdmin(v: Viewer | null) {
  if (!isAdmin(v)) throw problem(403, 'admin.forbidden', 'Only the site\'s administrators can do this', 'The token does not carry the admin role.');
}

const chapterOf = (audience: string) => (audience.startsWith('chapter:') ? audience.slice(8) : null);

function covers(scope: ModScope, audience: string) {
  if (scope.siteWide) return true;
  const ch = chapterOf(audience);
  return !!ch && scope.chapters.includes(ch);
}

const chapterForbidden = (what: string) => problem(403, 'moderation.chapter_forbidden', 'You moderate other chapters',
  `${what} Your token lets you moderate: ${'{chapters}'}.`);

function outOfReach(scope: ModScope, what: string) {
  const p = chapterForbidden(what);
  return problem(403, p.code, p.title, p.detail!.replace('{chapters}', scope.chapters.join(', ') || 'none'));
}

/** Who hears of changes to the queue of a thread of this audience. */
const queueAudience = (audience: string) => (chapterOf(audience) ? `moderators:${chapterOf(audience)}` : 'role:moderator');

async function queueChanged(ctx: Ctx, audience: string, ref: string) {
  await ctx.live.publish(ctx.site.id, { topic: 'site:moderation', kind: 'moderation.changed', ref, audience: queueAudience(audience) });
}

// ---- presenting -------------------------------------------------------------------------

function auditOut(r: AuditRow): AuditEntry {
  const person = (p: 'actor' | 'member') => (r[`${p}_host_id`] ? memberSummary({
    host_id: r[`${p}_host_id`]!, name: r[`${p}_name`] ?? '', picture: r[`${p}_picture`], chapters: r[`${p}_chapters`] ?? '[]',
  }) : null);
  return {
    id: r.id, at: r.created_at, actor: person('actor'),
    actorKind: r.actor === 'cli' || r.actor === 'system' ? r.actor : 'member',
    action: r.action, comment: r.comment_id, thread: r.thread_key, member: person('member'), chapter: r.chapter_id,
    note: r.note, details: r.details ? JSON.parse(r.details) : null,
  };
}

type SanctionJoin = NonNullable<Awaited<ReturnType<ModerationStore['sanctionById']>>>;
function sanctionOut(r: SanctionJoin): Sanction {
  return {
    id: r.id, kind: r.kind, chapter: r.chapter_id || null, reason: r.reason, createdAt: r.created_at, endsAt: r.ends_at, liftedAt: r.lifted_at,
    member: memberSummary(r),
    moderator: r.by_host_id ? memberSummary({ host_id: r.by_host_id, name: r.by_name ?? '', picture: r.by_picture, chapters: r.by_chapters ?? '[]' }) : null,
  };
}

async function settingsOut(store: Store, site: Site): Promise<AdminSettings> {
  const s = site.settings;
  const keys = await store.activeKeys(site.id);
  return {
    name: site.name, origins: site.origins, loginUrl: s.loginUrl, publicRead: s.publicRead, reactions: s.reactions,
    maxCommentLength: s.maxCommentLength, editWindowSeconds: s.editWindowSeconds, premoderation: s.premoderation,
    heldWords: s.heldWords, blockedWords: s.blockedWords ?? [], rateLimits: s.rateLimits || null,
    spamCheck: s.spamCheck ? { provider: s.spamCheck.provider, endpoint: s.spamCheck.endpoint, blog: s.spamCheck.blog, apiKeySet: !!s.spamCheck.apiKey } : null,
    keys: keys.map((k) => ({ kid: k.kid, alg: k.alg, createdAt: k.created_at, retiresAt: k.retires_at })),
  };
}

const webhookOut = (w: { id: string; url: string; events: string; description: string | null; active: number; created_at: string }): Webhook => ({
  id: w.id, url: w.url, events: JSON.parse(w.events), description: w.description, active: !!w.active, createdAt: w.created_at,
});

// ---- webhook events ---------------------------------------------------------------------

/** `comment.created` for a comment that became readable, and `comment.reply` to the author it answers. */
export async function commentEvents(store: Store, siteId: string, commentId: string) {
  const hooks = webhooksOf(store);
  const c = await store.comment(siteId, commentId);
  if (!c || c.status !== 'published') return;
  const thread = await store.db.selectFrom('threads').select(['key', 'title', 'audience']).where('site_id', '=', siteId).where('pk', '=', c.thread_pk).executeTakeFirst();
  const data = {
    comment: { id: c.id, parentId: c.parent_id, body: c.body, createdAt: c.created_at, author: c.author_host_id ? { id: c.author_host_id, name: c.author_name } : null },
    thread: thread ? { key: thread.key, title: thread.title, audience: thread.audience } : null,
  };
  await hooks.emit(siteId, 'comment.created', data);
  if (c.parent_id) {
    const p = await store.comment(siteId, c.parent_id);
    if (p?.author_host_id && p.author_pk !== c.author_pk && p.status === 'published') {
      await hooks.emit(siteId, 'comment.reply', { ...data, to: { id: p.author_host_id, name: p.author_name } });
    }
  }
}

// ---- spam and abuse, called by the discussion ---------------------------------------------

/**
 * Whether the site's spam check (when one is configured) judges this text spam. Nothing is sent anywhere
 * when the site has none.
 */
export async function looksLikeSpam(ctx: Ctx, text: string, threadKey?: string): Promise<boolean> {
  const check = spamCheckFor(ctx.site);
  if (!check) return false;
  const verdict = await check.check({
    text, authorName: ctx.viewer?.name ?? '', ip: clientAddress(ctx.c), userAgent: ctx.c.req.header('user-agent') ?? '',
    permalink: threadKey && /^https?:\/\//.test(threadKey) ? threadKey : undefined, lang: ctx.c.req.header('accept-language')?.slice(0, 2),
  });
  return verdict === 'spam';
}

/** Routes a sanctioned member may still use: reading, their own data, taking back what they did. */
const ALWAYS_ALLOWED = new Set<unknown>([
  routes.batch, routes.liveOpen, routes.liveControl, routes.markRead, routes.exportMember, routes.eraseMember,
  routes.deleteComment, routes.unreact, routes.acknowledgeRsvp,
]);
/** The discussion's writes: what a mute forbids, and what a chapter sanction covers on that chapter's threads. */
const DISCUSSION_WRITES = new Set<unknown>([routes.postComment, routes.editComment, routes.react, routes.flagComment]);

/** The audience of the thread a discussion write is about. */
async function audienceOfWrite(ctx: Ctx): Promise<string> {
  if (ctx.spec === routes.postComment) {
    const t = await ctx.store.thread(ctx.site.id, (ctx.body as unknown as { thread: string }).thread);
    return t?.audience ?? 'public';
  }
  const id = (ctx.params as unknown as { comment?: string }).comment;
  if (!id) return 'public';
  const r = await ctx.store.db.selectFrom('comments as c').innerJoin('threads as t', 't.pk', 'c.thread_pk').select('t.audience')
    .where('c.site_id', '=', ctx.site.id).where('c.id', '=', id).executeTakeFirst();
  return r?.audience ?? 'public';
}

/** Before every request: sanctions in force, the honeypot, blocked words. */
export async function guard(ctx: Ctx) {
  const { spec, viewer } = ctx;
  if (!viewer || spec.method === 'get' || ALWAYS_ALLOWED.has(spec)) return;
  const discussion = DISCUSSION_WRITES.has(spec);
  if (spec === routes.postComment || spec === routes.editComment) {
    const body = ctx.body as unknown as { body: string; website?: string };
    if (body.website) {
      throw problem(400, 'comment.spam', 'This comment was refused as automated', 'A field meant to stay empty was filled in.');
    }
    const word = heldWord(body.body, ctx.site.settings.blockedWords ?? []);
    if (word) {
      throw problem(400, 'comment.blocked_word', 'The comment contains a word this site does not accept',
        `Remove "${word}" and send it again; your text is kept.`, [{ path: 'body.body', message: `Not accepted here: ${word}` }]);
    }
  }
  const ms = new ModerationStore(ctx.store);
  const active = await ms.activeSanctions(ctx.site.id, [viewer.pk], nowIso(ctx.now()));
  if (!active.length) return;
  let audience: string | undefined;
  for (const s of active) {
    if (s.kind === 'mute' && !discussion) continue;
    if (s.chapter_id) {
      if (!discussion) continue;
      audience ??= await audienceOfWrite(ctx);
      if (audience !== `chapter:${s.chapter_id}`) continue;
    }
    const until = s.ends_at ? `until ${s.ends_at}` : 'until a moderator lifts it';
    throw problem(403, s.kind === 'ban' ? 'member.banned' : 'member.muted',
      s.kind === 'ban' ? 'You are banned from taking part here' : 'You cannot write in the discussion for now',
      `${s.chapter_id ? `In chapter ${s.chapter_id}, ` : ''}${until}. Reason: ${s.reason}`);
  }
}

/** After every success: the queue's live updates and the webhooks' events. */
export async function observe(ctx: Ctx, result: { status: number; body: unknown }) {
  const { spec, store, site } = ctx;
  if (spec === routes.postComment) {
    if (ctx.c.res.headers.get('idempotent-replayed')) return;
    const c = result.body as Comment;
    if (c.status === 'pending') {
      const t = await store.thread(site.id, (ctx.body as unknown as { thread: string }).thread);
      await queueChanged(ctx, t?.audience ?? 'public', c.id);
    } else if (c.status === 'published') await commentEvents(store, site.id, c.id);
  } else if (spec === routes.editComment || spec === routes.flagComment || spec === routes.moderateComment) {
    const id = (ctx.params as unknown as { comment: string }).comment;
    if (spec === routes.editComment && (result.body as Comment).status !== 'pending') return;
    await queueChanged(ctx, await audienceOfWrite(ctx), id);
    if (spec === routes.moderateComment && (ctx.body as unknown as { action: string }).action === 'approve') await commentEvents(store, site.id, id);
  } else if (spec === routes.rsvp) {
    const e = result.body as Event;
    if (!e.myRsvp || !ctx.viewer) return;
    await webhooksOf(store).emit(site.id, 'rsvp.changed', {
      event: { id: e.id, title: e.title, startsAt: e.startsAt, url: e.url, chapter: e.chapter?.id ?? null },
      member: { id: ctx.viewer.hostId, name: ctx.viewer.name },
      status: e.myRsvp.status, guests: e.myRsvp.guests,
    });
  } else if (spec === routes.requestIntroduction) {
    const i = result.body as Introduction;
    await webhooksOf(store).emit(site.id, 'introduction.requested', {
      introduction: { id: i.id, createdAt: i.createdAt }, from: { id: i.from.id, name: i.from.name }, to: { id: i.to.id, name: i.to.name },
    });
  }
}

// ---- the routes ---------------------------------------------------------------------------

const ACTION_FROM: Record<string, Comment['status'][]> = {
  approve: ['pending'], hide: ['published', 'pending'], restore: ['hidden'], delete: ['published', 'pending', 'hidden'],
};
const ACTION_TO: Record<string, Comment['status']> = { approve: 'published', hide: 'hidden', restore: 'published', delete: 'deleted' };
const LIVE_KIND = { approve: 'comment.created', hide: 'comment.hidden', restore: 'comment.restored', delete: 'comment.deleted' } as const;

export function install(register: Registrar) {
  register(m.moderationQueue, async (ctx) => {
    const { store, site, viewer, query } = ctx;
    const scope = requireModerator(viewer);
    if (query.chapter && !covers(scope, `chapter:${query.chapter}`)) throw outOfReach(scope, `Chapter "${query.chapter}" is not yours.`);
    const ms = new ModerationStore(store);
    const limit = query.limit ?? 25;
    const filter = query.filter ?? 'all';
    const rows = await ms.queue(site.id, scope, { filter, chapter: query.chapter, after: decodeCursor(query.cursor), limit: limit + 1 });
    const page = rows.slice(0, limit);
    const ids = page.map((r) => r.id);
    const authors = [...new Set(page.map((r) => r.author_pk).filter((x): x is string => !!x))];
    const threads = [...new Set(page.map((r) => r.thread_pk))];
    const at = nowIso(ctx.now());
    const [flags, published, sanctions, counts, threadCounts] = await Promise.all([
      ms.flagSummaries(site.id, ids),
      ms.publishedCounts(site.id, authors),
      ms.activeSanctions(site.id, authors, at),
      ms.counts(site.id, scope, query.chapter),
      threads.length
        ? store.db.selectFrom('comments').select((eb) => ['thread_pk', eb.fn.countAll<number | string>().as('n')])
          .where('site_id', '=', site.id).where('thread_pk', 'in', threads).where('status', '=', 'published').groupBy('thread_pk').execute()
        : [],
    ]);
    const threadCount = new Map(threadCounts.map((r) => [r.thread_pk, Number(r.n)]));
    const items: QueueItem[] = page.map((r) => {
      const openFlags = Number(r.open_flags ?? 0);
      return {
        comment: {
          ...commentOut(r), depth: Number(r.depth ?? 0), flagCount: openFlags,
          ...(r.status === 'pending' ? { heldReason: r.held_reason as Comment['heldReason'] } : {}),
        },
        thread: threadOut(r.thread_key, {
          pk: r.thread_pk, site_id: site.id, key: r.thread_key, title: r.thread_title, audience: r.thread_audience,
          locked: r.thread_locked, created_at: r.thread_created_at,
        }, threadCount.get(r.thread_pk) ?? 0) as Thread,
        reasons: [...(r.status === 'pending' ? ['pending' as const] : []), ...(openFlags ? ['flagged' as const] : [])],
        flags: (flags.counts.get(r.id) ?? []) as QueueItem['flags'],
        flagNotes: flags.notes.get(r.id) ?? [],
        author: r.author_pk && r.author_host_id ? {
          member: memberSummary({ host_id: r.author_host_id, name: r.author_name ?? '', picture: r.author_picture, chapters: r.author_chapters ?? '[]' }),
          sanctions: sanctions.filter((s) => s.member_pk === r.author_pk).map((s) => ({ id: s.id, kind: s.kind, chapter: s.chapter_id || null, endsAt: s.ends_at })),
          publishedCount: published.get(r.author_pk) ?? 0,
        } : null,
      };
    });
    const last = page[page.length - 1];
    return {
      body: {
        items, next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null, counts,
        scope: { siteWide: scope.siteWide, chapters: scope.chapters }, admin: isAdmin(viewer),
      },
    };
  });

  register(m.moderationActions, async (ctx) => {
    const { store, site, viewer, body } = ctx;
    const scope = requireModerator(viewer);
    const ms = new ModerationStore(store);
    const ds = new DiscussionStore(store);
    const ids = [...new Set(body.comments)];
    const found = await ms.commentsWithThreads(site.id, ids);
    const byId = new Map(found.map((r) => [r.id, r]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length) {
      throw problem(404, 'comment.not_found', 'No such comment', `Unknown: ${missing.slice(0, 5).join(', ')}. Nothing was changed.`);
    }
    const foreign = found.filter((r) => !covers(scope, r.thread_audience));
    if (foreign.length) {
      throw outOfReach(scope, `${foreign.length} of these comments ${foreign.length > 1 ? 'are' : 'is'} in threads you do not moderate; nothing was changed.`);
    }
    const at = nowIso(ctx.now());
    const changed: typeof found = [];
    const results = await store.db.transaction().execute(async (tx) => {
      const out: { id: string; changed: boolean; status: Comment['status'] }[] = [];
      // Read again inside the transaction: another moderator may have acted meanwhile.
      const now = new Map((await ms.commentsWithThreads(site.id, ids, tx)).map((r) => [r.id, r]));
      for (const id of ids) {
        const r = now.get(id)!;
        if (!ACTION_FROM[body.action].includes(r.status)) {
          out.push({ id, changed: false, status: r.status });
          continue;
        }
        if (body.action === 'delete') {
          if (r.status === 'published') await ds.unearn(tx, site.id, id);
          await ds.erase(tx, site.id, id, at);
        } else if (body.action === 'hide') {
          if (r.status === 'published') await ds.unearn(tx, site.id, id);
          await ms.setStatus(tx, site.id, id, 'hidden');
          await ds.resolveFlags(tx, site.id, id, at);
        } else {
          await ms.setStatus(tx, site.id, id, 'published');
          await ds.earn(tx, site.id, id);
          await ds.resolveFlags(tx, site.id, id, at);
        }
        await ms.audit(tx, {
          site_id: site.id, moderator_pk: viewer!.pk, comment_id: id, thread_pk: r.thread_pk, action: body.action,
          chapter_id: chapterOf(r.thread_audience), note: body.note || null, details: ids.length > 1 ? { bulk: ids.length } : null,
        }, at);
        changed.push(r);
        out.push({ id, changed: true, status: ACTION_TO[body.action] });
      }
      return out;
    });
    for (const r of changed) {
      await ctx.live.publish(site.id, { topic: `thread:${r.thread_key}`, kind: LIVE_KIND[body.action], ref: r.id, audience: r.thread_audience });
      await queueChanged(ctx, r.thread_audience, r.id);
      if (body.action === 'approve' || body.action === 'restore') await commentEvents(store, site.id, r.id).catch(() => {});
    }
    return { body: { results } };
  });

  register(m.sanctions, async ({ store, site, viewer, query, now }) => {
    const scope = requireModerator(viewer);
    const ms = new ModerationStore(store);
    let memberPk: string | undefined;
    if (query.member) {
      memberPk = (await store.memberByHostId(site.id, query.member))?.pk;
      if (!memberPk) return { body: { items: [] } };
    }
    const rows = await ms.sanctionList(site.id, nowIso(now()), { scope, memberPk });
    return { body: { items: rows.map(sanctionOut) } };
  });

  register(m.addSanction, async (ctx) => {
    const { store, site, viewer, body } = ctx;
    const scope = requireModerator(viewer);
    let chapter = body.chapter ?? null;
    if (!scope.siteWide) {
      if (!chapter && scope.chapters.length === 1) chapter = scope.chapters[0];
      if (!chapter) {
        throw problem(400, 'sanction.chapter_required', 'Say which chapter the sanction covers', 'You moderate several chapters.',
          [{ path: 'body.chapter', message: `One of: ${scope.chapters.join(', ')}.` }]);
      }
      if (!scope.chapters.includes(chapter)) throw outOfReach(scope, `Chapter "${chapter}" is not yours.`);
    }
    const member = await store.memberByHostId(site.id, body.member);
    if (!member) throw problem(404, 'member.unknown', 'No such member', body.member);
    if (member.pk === viewer!.pk) throw problem(400, 'sanction.self', 'You cannot sanction yourself');
    const roles: string[] = JSON.parse(member.roles);
    if ((roles.includes('admin') || roles.includes('moderator')) && !isAdmin(viewer)) {
      throw problem(403, 'sanction.protected', 'Only an administrator can sanction a moderator');
    }
    if (roles.includes('admin')) throw problem(403, 'sanction.protected', 'Administrators cannot be sanctioned here', 'Change their role on the site instead.');
    const ms = new ModerationStore(store);
    const at = nowIso(ctx.now());
    const endsAt = body.days === null ? null : nowIso(ctx.now() + body.days * 86_400_000);
    const id = await store.db.transaction().execute(async (tx) => {
      const sid = await ms.insertSanction(tx, {
        site_id: site.id, member_pk: member.pk, kind: body.kind, chapter_id: chapter ?? '', reason: body.reason,
        moderator_pk: viewer!.pk, created_at: at, ends_at: endsAt,
      });
      await ms.audit(tx, {
        site_id: site.id, moderator_pk: viewer!.pk, member_pk: member.pk, chapter_id: chapter, action: body.kind, note: body.reason,
        details: { days: body.days, endsAt, sanction: sid },
      }, at);
      return sid;
    });
    return { status: 201, body: sanctionOut((await ms.sanctionById(site.id, id))!) };
  });

  register(m.liftSanction, async (ctx) => {
    const { store, site, viewer, params } = ctx;
    const scope = requireModerator(viewer);
    const ms = new ModerationStore(store);
    const s = await ms.sanctionById(site.id, params.id);
    if (!s) throw problem(404, 'sanction.not_found', 'No such sanction');
    if (!scope.siteWide && !(s.chapter_id && scope.chapters.includes(s.chapter_id))) {
      throw outOfReach(scope, s.chapter_id ? `This sanction covers chapter "${s.chapter_id}".` : 'This sanction covers the whole site.');
    }
    if (!s.lifted_at) {
      const at = nowIso(ctx.now());
      await store.db.transaction().execute(async (tx) => {
        await ms.liftSanction(tx, site.id, s.id, at, viewer!.pk);
        await ms.audit(tx, {
          site_id: site.id, moderator_pk: viewer!.pk, member_pk: s.member_pk, chapter_id: s.chapter_id || null, action: 'lift',
          details: { sanction: s.id, kind: s.kind },
        }, at);
      });
    }
    return { body: sanctionOut((await ms.sanctionById(site.id, s.id))!) };
  });

  register(m.auditLog, async ({ store, site, viewer, query }) => {
    requireAdmin(viewer);
    const limit = query.limit ?? 50;
    const rows = await new ModerationStore(store).auditPage(site.id, {
      before: decodeCursor(query.cursor), limit: limit + 1, action: query.action, since: query.since, until: query.until,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { body: { items: page.map(auditOut), next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null } };
  });

  register(m.auditExport, async ({ c, store, site, viewer, query }) => {
    requireAdmin(viewer);
    const format = query.format ?? 'csv';
    const ms = new ModerationStore(store);
    const enc = new TextEncoder();
    const cell = (v: unknown) => {
      const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
      // Spreadsheet formula injection: a cell starting with = + - @ is read as text.
      const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
      return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    };
    const iter = ms.auditAll(site.id, { since: query.since, until: query.until });
    const stream = new ReadableStream<Uint8Array>({
      start(ctrl) {
        if (format === 'csv') ctrl.enqueue(enc.encode('\uFEFFat,action,actor,actor_kind,member,chapter,thread,comment,note,details\r\n'));
      },
      async pull(ctrl) {
        const { value, done } = await iter.next();
        if (done) return ctrl.close();
        const e = auditOut(value);
        ctrl.enqueue(enc.encode(format === 'csv'
          ? `${[e.at, e.action, e.actor?.id, e.actorKind, e.member?.id, e.chapter, e.thread, e.comment, e.note, e.details].map(cell).join(',')}\r\n`
          : `${JSON.stringify(e)}\n`));
      },
      async cancel() {
        await iter.return(undefined);
      },
    });
    const day = new Date().toISOString().slice(0, 10);
    return c.body(stream, 200, {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="cercle-audit-${site.id}-${day}.${format === 'csv' ? 'csv' : 'jsonl'}"`,
      'cache-control': 'no-store',
    });
  });

  register(m.adminSettings, async ({ store, site, viewer }) => {
    requireAdmin(viewer);
    return { body: await settingsOut(store, (await store.site(site.id))!) };
  });

  register(m.updateSettings, async (ctx) => {
    const { store, site: cached, viewer, body, c } = ctx;
    requireAdmin(viewer);
    const site = (await store.site(cached.id))!;
    const origin = c.req.header('origin');
    if (body.origins && origin && !body.origins.map((o) => o.toLowerCase()).includes(origin.toLowerCase())) {
      throw problem(400, 'settings.origin_in_use', 'This change would lock this page out', `${origin} must stay among the origins while you use it.`,
        [{ path: 'body.origins', message: `Keep ${origin}.` }]);
    }
    const { changes, update } = applyPatch(site, body);
    if (!changes.length) return { body: await settingsOut(store, site) };
    await store.db.transaction().execute(async (tx) => {
      await tx.updateTable('sites').set({
        name: update.name, origins: JSON.stringify(update.origins), settings: JSON.stringify(update.settings),
      }).where('id', '=', site.id).execute();
      await new ModerationStore(store).audit(tx, {
        site_id: site.id, moderator_pk: viewer!.pk, action: 'settings.update', details: Object.fromEntries(changes),
      }, nowIso(ctx.now()));
    });
    ctx.siteChanged();
    return { body: await settingsOut(store, (await store.site(site.id))!) };
  });

  register(m.rotateKey, async (ctx) => {
    const { store, site, viewer, body } = ctx;
    requireAdmin(viewer);
    const overlap = body.overlapSeconds ?? 3600;
    const key = await store.rotateSecret(site.id, overlap);
    await new ModerationStore(store).audit(store.db, {
      site_id: site.id, moderator_pk: viewer!.pk, action: 'key.rotate', details: { kid: key.kid, overlapSeconds: overlap },
    }, nowIso(ctx.now()));
    return { status: 201, body: { kid: key.kid, secret: key.secret!, previousRetireAt: nowIso(Date.now() + overlap * 1000) } };
  });

  register(m.webhooks, async ({ store, site, viewer }) => {
    requireAdmin(viewer);
    const rows = await store.db.selectFrom('webhooks').selectAll().where('site_id', '=', site.id).orderBy('created_at').execute();
    return { body: { items: rows.map(webhookOut) } };
  });

  register(m.createWebhook, async (ctx) => {
    const { store, site, viewer, body } = ctx;
    requireAdmin(viewer);
    const url = checkWebhookUrl(body.url, webhooksOf(store).production);
    const count = await store.db.selectFrom('webhooks').select((eb) => eb.fn.countAll<number | string>().as('n')).where('site_id', '=', site.id).executeTakeFirstOrThrow();
    if (Number(count.n) >= 10) throw problem(409, 'webhook.too_many', 'A site may have at most 10 webhooks');
    const row = {
      id: newId(), site_id: site.id, url, secret: newWebhookSecret(), events: JSON.stringify(body.events),
      description: body.description || null, active: 1, created_at: nowIso(ctx.now()),
    };
    await store.db.transaction().execute(async (tx) => {
      await tx.insertInto('webhooks').values(row).execute();
      await new ModerationStore(store).audit(tx, {
        site_id: site.id, moderator_pk: viewer!.pk, action: 'webhook.create', details: { webhook: row.id, url, events: body.events },
      }, row.created_at);
    });
    return { status: 201, body: { ...webhookOut(row), secret: row.secret } };
  });

  register(m.updateWebhook, async (ctx) => {
    const { store, site, viewer, body, params } = ctx;
    requireAdmin(viewer);
    const w = await store.db.selectFrom('webhooks').selectAll().where('site_id', '=', site.id).where('id', '=', params.id).executeTakeFirst();
    if (!w) throw problem(404, 'webhook.not_found', 'No such webhook');
    const url = body.url === undefined ? w.url : checkWebhookUrl(body.url, webhooksOf(store).production);
    const next = {
      url, events: body.events ? JSON.stringify(body.events) : w.events,
      description: body.description === undefined ? w.description : body.description || null,
      active: body.active === undefined ? w.active : body.active ? 1 : 0,
    };
    await store.db.transaction().execute(async (tx) => {
      await tx.updateTable('webhooks').set(next).where('site_id', '=', site.id).where('id', '=', w.id).execute();
      await new ModerationStore(store).audit(tx, {
        site_id: site.id, moderator_pk: viewer!.pk, action: 'webhook.update', details: { webhook: w.id, ...body },
      }, nowIso(ctx.now()));
    });
    return { body: webhookOut({ ...w, ...next }) };
  });

  register(m.deleteWebhook, async (ctx) => {
    const { store, site, viewer, params } = ctx;
    requireAdmin(viewer);
    const w = await store.db.selectFrom('webhooks').selectAll().where('site_id', '=', site.id).where('id', '=', params.id).executeTakeFirst();
    if (!w) throw problem(404, 'webhook.not_found', 'No such webhook');
    await store.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('webhook_deliveries').where('site_id', '=', site.id).where('webhook_id', '=', w.id).execute();
      await tx.deleteFrom('webhooks').where('site_id', '=', site.id).where('id', '=', w.id).execute();
      await new ModerationStore(store).audit(tx, {
        site_id: site.id, moderator_pk: viewer!.pk, action: 'webhook.delete', details: { webhook: w.id, url: w.url },
      }, nowIso(ctx.now()));
    });
    return { body: webhookOut(w) };
  });

  register(m.webhookDeliveries, async ({ store, site, viewer, query }) => {
    requireAdmin(viewer);
    const limit = query.limit ?? 50;
    let q = store.db.selectFrom('webhook_deliveries').selectAll().where('site_id', '=', site.id);
    if (query.webhook) q = q.where('webhook_id', '=', query.webhook);
    const before = decodeCursor(query.cursor);
    if (before) q = q.where((eb) => eb.or([eb('created_at', '<', before[0]), eb.and([eb('created_at', '=', before[0]), eb('id', '<', before[1])])]));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      body: {
        items: page.map((d) => ({
          id: d.id, webhook: d.webhook_id, event: d.event_id, eventType: d.event_type, status: d.status, attempts: Number(d.attempts),
          nextAttemptAt: d.next_attempt_at, lastStatus: d.last_status === null ? null : Number(d.last_status), lastError: d.last_error,
          createdAt: d.created_at, deliveredAt: d.delivered_at,
        })),
        next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
      },
    };
  });
}

/** The settings after a patch, and what changed (`field → { from, to }`; the spam key never appears). */
export function applyPatch(site: Site, patch: SettingsPatch) {
  const settings = { ...site.settings };
  const changes: [string, { from: unknown; to: unknown }][] = [];
  const set = (field: string, from: unknown, to: unknown) => {
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push([field, { from, to }]);
  };
  const name = patch.name ?? site.name;
  set('name', site.name, name);
  const origins = patch.origins ? [...new Set(patch.origins.map((o) => new URL(o).origin))] : site.origins;
  set('origins', site.origins, origins);
  const simple = ['loginUrl', 'publicRead', 'reactions', 'maxCommentLength', 'editWindowSeconds', 'premoderation', 'heldWords', 'blockedWords'] as const;
  for (const k of simple) {
    if (patch[k] === undefined) continue;
    const value = Array.isArray(patch[k]) && k !== 'reactions' ? [...new Set(patch[k] as string[])] : patch[k];
    set(k, settings[k] ?? null, value);
    (settings as Record<string, unknown>)[k] = value;
  }
  if (patch.rateLimits !== undefined) {
    set('rateLimits', settings.rateLimits || null, patch.rateLimits);
    settings.rateLimits = patch.rateLimits ?? false;
  }
  if (patch.spamCheck !== undefined) {
    const before = settings.spamCheck ?? null;
    if (patch.spamCheck === null) settings.spamCheck = null;
    else {
      const apiKey = patch.spamCheck.apiKey ?? before?.apiKey;
      if (!apiKey) {
        throw problem(400, 'settings.spam_key_required', 'The spam check needs its API key',
          undefined, [{ path: 'body.spamCheck.apiKey', message: 'Required the first time.' }]);
      }
      settings.spamCheck = {
        provider: 'akismet', endpoint: patch.spamCheck.endpoint ?? before?.endpoint ?? 'https://rest.akismet.com', apiKey, blog: patch.spamCheck.blog,
      };
    }
    const shown = (s: typeof before) => (s ? { provider: s.provider, endpoint: s.endpoint, blog: s.blog, apiKey: s.apiKey ? 'set' : 'none' } : null);
    const keyChanged = !!before && !!settings.spamCheck && before.apiKey !== settings.spamCheck.apiKey;
    set('spamCheck', shown(before), keyChanged ? { ...shown(settings.spamCheck ?? null), apiKey: 'replaced' } : shown(settings.spamCheck ?? null));
  }
  return { changes, update: { name, origins, settings } };
}
