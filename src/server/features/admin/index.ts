import type { AdminSettings, AuditEntry, SettingsPatch, Webhook } from '../../../contract/moderation.js';
import { moderationRoutes as m } from '../../../contract/moderation.js';
import { newId, nowIso } from '../../domain/ids.js';
import { decodeCursor, encodeCursor, memberSummary } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import type { Registrar } from '../../http/types.js';
import type { Viewer } from '../../http/viewer.js';
import { ModerationStore, type AuditRow } from '../../store/moderation.js';
import type { Site, Store } from '../../store/store.js';
import { checkWebhookUrl, newWebhookSecret, webhooksOf } from '../../webhooks/webhooks.js';

function requireAdmin(v: Viewer | null) {
  if (!v?.roles.includes('admin')) throw problem(403, 'admin.forbidden', 'Only the site\'s administrators can do this', 'The token does not carry the admin role.');
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

async function settingsOut(store: Store, site: Site): Promise<AdminSettings> {
  const s = site.settings;
  const keys = await store.activeKeys(site.id);
  return {
    name: site.name, origins: site.origins, loginUrl: s.loginUrl, publicRead: s.publicRead, reactions: s.reactions,
    maxCommentLength: s.maxCommentLength, editWindowSeconds: s.editWindowSeconds, premoderation: s.premoderation,
    chapterTerm: s.chapterTerm ?? 'chapter', heldWords: s.heldWords, blockedWords: s.blockedWords ?? [], rateLimits: s.rateLimits || null,
    spamCheck: s.spamCheck ? { provider: s.spamCheck.provider, endpoint: s.spamCheck.endpoint, blog: s.spamCheck.blog, apiKeySet: !!s.spamCheck.apiKey } : null,
    keys: keys.map((k) => ({ kid: k.kid, alg: k.alg, createdAt: k.created_at, retiresAt: k.retires_at })),
  };
}

const webhookOut = (w: { id: string; url: string; events: string; description: string | null; active: number; created_at: string }): Webhook => ({
  id: w.id, url: w.url, events: JSON.parse(w.events), description: w.description, active: !!w.active, createdAt: w.created_at,
});

// ---- the routes ---------------------------------------------------------------------------

/** The site's administration: settings, signing keys, webhooks, the audit log. */
export function install(register: Registrar) {
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
  const simple = ['loginUrl', 'publicRead', 'reactions', 'maxCommentLength', 'editWindowSeconds', 'premoderation', 'chapterTerm', 'heldWords', 'blockedWords'] as const;
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
