import { moderationRoutes as m } from '../../../contract/moderation.js';
import { newId, nowIso } from '../../domain/ids.js';
import { decodeCursor, encodeCursor } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import { ModerationStore } from '../../store/moderation.js';
import { checkWebhookUrl, newWebhookSecret, webhooksOf } from '../../webhooks/webhooks.js';
import type { HandlerContext } from '../../http/types.js';
import { actorOf } from '../../http/viewer.js';
import { requireAdmin, auditOut, settingsOut, webhookOut } from './present.js';
import { applyPatch } from './settings.js';

/** Every moderation and administration action, newest first (admins). */
export async function auditLog({ store, site, viewer, query }: HandlerContext<typeof m.auditLog>) {
  requireAdmin(viewer);
  const limit = query.limit ?? 50;
  const rows = await new ModerationStore(store).auditPage(site.id, {
    before: decodeCursor(query.cursor),
    limit: limit + 1,
    action: query.action,
    since: query.since,
    until: query.until,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { body: { items: page.map(auditOut), next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null } };
}

/** The audit log as CSV or JSON lines (admins). */
export async function auditExport({ c, store, site, viewer, query }: HandlerContext<typeof m.auditExport>) {
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
      ctrl.enqueue(
        enc.encode(
          format === 'csv'
            ? `${[e.at, e.action, e.actor?.id, e.actorKind, e.member?.id, e.chapter, e.thread, e.comment, e.note, e.details].map(cell).join(',')}\r\n`
            : `${JSON.stringify(e)}\n`,
        ),
      );
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
}

/** The site's settings and keys (admins). */
export async function adminSettings({ store, site, viewer }: HandlerContext<typeof m.adminSettings>) {
  requireAdmin(viewer);
  return { body: await settingsOut(store, (await store.site(site.id))!) };
}

/** Change the site's settings (admins). */
export async function updateSettings(ctx: HandlerContext<typeof m.updateSettings>) {
  const { store, site: cached, viewer, body, c } = ctx;
  requireAdmin(viewer);
  const site = (await store.site(cached.id))!;
  const origin = c.req.header('origin');
  if (body.origins && origin && !body.origins.map((o) => o.toLowerCase()).includes(origin.toLowerCase())) {
    throw problem(
      400,
      'settings.origin_in_use',
      'This change would lock this page out',
      `${origin} must stay among the origins while you use it.`,
      [{ path: 'body.origins', message: `Keep ${origin}.` }],
    );
  }
  const { changes, update } = applyPatch(site, body);
  if (!changes.length) return { body: await settingsOut(store, site) };
  await store.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('sites')
      .set({
        name: update.name,
        origins: JSON.stringify(update.origins),
        settings: JSON.stringify(update.settings),
      })
      .where('id', '=', site.id)
      .execute();
    await new ModerationStore(store).audit(
      tx,
      {
        site_id: site.id,
        ...actorOf(viewer!),
        action: 'settings.update',
        details: Object.fromEntries(changes),
      },
      nowIso(ctx.now()),
    );
  });
  ctx.siteChanged();
  return { body: await settingsOut(store, (await store.site(site.id))!) };
}

/** The site's webhooks (admins). */
export async function webhooks({ store, site, viewer }: HandlerContext<typeof m.webhooks>) {
  requireAdmin(viewer);
  const rows = await store.db.selectFrom('webhooks').selectAll().where('site_id', '=', site.id).orderBy('created_at').execute();
  return { body: { items: rows.map(webhookOut) } };
}

/** Register a URL that receives signed events (admins). */
export async function createWebhook(ctx: HandlerContext<typeof m.createWebhook>) {
  const { store, site, viewer, body } = ctx;
  requireAdmin(viewer);
  const url = checkWebhookUrl(body.url, webhooksOf(store).production);
  const count = await store.db
    .selectFrom('webhooks')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('site_id', '=', site.id)
    .executeTakeFirstOrThrow();
  if (Number(count.n) >= 10) throw problem(409, 'webhook.too_many', 'A site may have at most 10 webhooks');
  const row = {
    id: newId(),
    site_id: site.id,
    url,
    secret: newWebhookSecret(),
    events: JSON.stringify(body.events),
    description: body.description || null,
    active: 1,
    created_at: nowIso(ctx.now()),
  };
  await store.db.transaction().execute(async (tx) => {
    await tx.insertInto('webhooks').values(row).execute();
    await new ModerationStore(store).audit(
      tx,
      {
        site_id: site.id,
        ...actorOf(viewer!),
        action: 'webhook.create',
        details: { webhook: row.id, url, events: body.events },
      },
      row.created_at,
    );
  });
  return { status: 201, body: { ...webhookOut(row), secret: row.secret } };
}

/** Change or pause a webhook (admins). */
export async function updateWebhook(ctx: HandlerContext<typeof m.updateWebhook>) {
  const { store, site, viewer, body, params } = ctx;
  requireAdmin(viewer);
  const w = await store.db.selectFrom('webhooks').selectAll().where('site_id', '=', site.id).where('id', '=', params.id).executeTakeFirst();
  if (!w) throw problem(404, 'webhook.not_found', 'No such webhook');
  const url = body.url === undefined ? w.url : checkWebhookUrl(body.url, webhooksOf(store).production);
  const next = {
    url,
    events: body.events ? JSON.stringify(body.events) : w.events,
    description: body.description === undefined ? w.description : body.description || null,
    active: body.active === undefined ? w.active : body.active ? 1 : 0,
  };
  await store.db.transaction().execute(async (tx) => {
    await tx.updateTable('webhooks').set(next).where('site_id', '=', site.id).where('id', '=', w.id).execute();
    await new ModerationStore(store).audit(
      tx,
      {
        site_id: site.id,
        ...actorOf(viewer!),
        action: 'webhook.update',
        details: { webhook: w.id, ...body },
      },
      nowIso(ctx.now()),
    );
  });
  return { body: webhookOut({ ...w, ...next }) };
}

/** Remove a webhook and its delivery log (admins). */
export async function deleteWebhook(ctx: HandlerContext<typeof m.deleteWebhook>) {
  const { store, site, viewer, params } = ctx;
  requireAdmin(viewer);
  const w = await store.db.selectFrom('webhooks').selectAll().where('site_id', '=', site.id).where('id', '=', params.id).executeTakeFirst();
  if (!w) throw problem(404, 'webhook.not_found', 'No such webhook');
  await store.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('webhook_deliveries').where('site_id', '=', site.id).where('webhook_id', '=', w.id).execute();
    await tx.deleteFrom('webhooks').where('site_id', '=', site.id).where('id', '=', w.id).execute();
    await new ModerationStore(store).audit(
      tx,
      {
        site_id: site.id,
        ...actorOf(viewer!),
        action: 'webhook.delete',
        details: { webhook: w.id, url: w.url },
      },
      nowIso(ctx.now()),
    );
  });
  return { body: webhookOut(w) };
}

/** The delivery log, newest first (admins). */
export async function webhookDeliveries({ store, site, viewer, query }: HandlerContext<typeof m.webhookDeliveries>) {
  requireAdmin(viewer);
  const limit = query.limit ?? 50;
  let q = store.db.selectFrom('webhook_deliveries').selectAll().where('site_id', '=', site.id);
  if (query.webhook) q = q.where('webhook_id', '=', query.webhook);
  const before = decodeCursor(query.cursor);
  if (before)
    q = q.where((eb) => eb.or([eb('created_at', '<', before[0]), eb.and([eb('created_at', '=', before[0]), eb('id', '<', before[1])])]));
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    body: {
      items: page.map((d) => ({
        id: d.id,
        webhook: d.webhook_id,
        event: d.event_id,
        eventType: d.event_type,
        status: d.status,
        attempts: Number(d.attempts),
        nextAttemptAt: d.next_attempt_at,
        lastStatus: d.last_status === null ? null : Number(d.last_status),
        lastError: d.last_error,
        createdAt: d.created_at,
        deliveredAt: d.delivered_at,
      })),
      next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
    },
  };
}
