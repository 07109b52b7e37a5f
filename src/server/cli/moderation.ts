import { parseArgs } from 'node:util';
import { WebhookEventType } from '../../contract/moderation.js';
import { newId, nowIso } from '../domain/ids.js';
import { formatReport, ImportError, importFile, type ImportFormat } from '../comments/import.js';
import { ModerationStore } from '../store/moderation.js';
import type { Store } from '../store/store.js';
import { checkWebhookUrl, newWebhookSecret, productionMode } from '../webhooks/webhooks.js';

export const MODERATION_USAGE = `  import wxr|disqus FILE --site ID [--dry-run] [--map-url OLD=NEW…]
                             import a WordPress (WXR) or Disqus export (UTF-8, at most 50 MB); run it again: nothing doubles
  webhook add SITE --url URL --event TYPE… [--description TEXT]
                             events: comment.created comment.reply rsvp.changed introduction.requested; the secret is printed once
  webhook list SITE          webhooks and their last deliveries
  webhook remove SITE ID
  audit export SITE [--format csv|jsonl] [--since ISO] [--until ISO]
                             the audit log of every moderation and administration action
`;

/** `cercle import|webhook|audit …`; the command line acts as `cli` in the audit log. */
export async function moderationCommand(store: Store, cmd: string, args: string[], out: (s: string) => void): Promise<number> {
  const ms = new ModerationStore(store);
  const [sub, ...rest] = args;
  const siteOf = async (id: string | undefined) => {
    const site = id ? await store.site(id) : undefined;
    if (!site) throw new Error(id ? `No site "${id}".` : `${cmd} ${sub} needs the site id.`);
    return site;
  };

  if (cmd === 'import' && (sub === 'wxr' || sub === 'disqus')) {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        site: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'map-url': { type: 'string', multiple: true },
      },
    });
    if (!positionals[0] || !values.site) throw new Error(`import ${sub} needs a FILE and --site ID.`);
    const mapUrls = (values['map-url'] ?? []).map((m) => {
      const i = m.indexOf('=');
      if (i < 1) throw new Error(`--map-url takes OLD=NEW, got "${m}".`);
      return [m.slice(0, i), m.slice(i + 1)] as [string, string];
    });
    try {
      const report = await importFile(store, {
        site: values.site,
        format: sub as ImportFormat,
        file: positionals[0],
        dryRun: values['dry-run'],
        mapUrls,
      });
      for (const line of formatReport(report)) out(line);
      return 0;
    } catch (err) {
      if (err instanceof ImportError) {
        out(`✗ ${err.message} (${err.code}; nothing was imported)`);
        return 1;
      }
      throw err;
    }
  }
  if (cmd === 'webhook' && sub === 'add') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        event: { type: 'string', multiple: true },
        description: { type: 'string' },
      },
    });
    const site = await siteOf(positionals[0]);
    if (!values.url || !values.event?.length) throw new Error('webhook add needs --url and at least one --event.');
    for (const e of values.event)
      if (!WebhookEventType.safeParse(e).success) throw new Error(`Unknown event "${e}": ${WebhookEventType.options.join(', ')}.`);
    let url: string;
    try {
      url = checkWebhookUrl(values.url, productionMode());
    } catch (err) {
      throw new Error(`${(err as Error & { title?: string }).title ?? ''} ${(err as Error & { detail?: string }).detail ?? ''}`.trim(), {
        cause: err,
      });
    }
    const row = {
      id: newId(),
      site_id: site.id,
      url,
      secret: newWebhookSecret(),
      events: JSON.stringify([...new Set(values.event)]),
      description: values.description ?? null,
      active: 1,
      created_at: nowIso(),
    };
    await store.db.transaction().execute(async (tx) => {
      await tx.insertInto('webhooks').values(row).execute();
      await ms.audit(tx, {
        site_id: site.id,
        actor: 'cli',
        action: 'webhook.create',
        details: { webhook: row.id, url, events: values.event },
      });
    });
    out(`Webhook ${row.id} → ${url} (${values.event.join(', ')}).`);
    out(`Signing secret (shown once; keep it with the receiver):\n${row.secret}`);
    return 0;
  }
  if (cmd === 'webhook' && sub === 'list') {
    const site = await siteOf(rest[0]);
    const hooks = await store.db.selectFrom('webhooks').selectAll().where('site_id', '=', site.id).orderBy('created_at').execute();
    for (const h of hooks) {
      const last = await store.db
        .selectFrom('webhook_deliveries')
        .select(['status', 'last_status', 'created_at'])
        .where('webhook_id', '=', h.id)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      out(
        `${h.id}\t${h.active ? 'active' : 'paused'}\t${h.url}\t${JSON.parse(h.events).join(',')}\t${last ? `last: ${last.status} ${last.last_status ?? ''} ${last.created_at}` : 'no deliveries'}`,
      );
    }
    return 0;
  }
  if (cmd === 'webhook' && sub === 'remove') {
    const site = await siteOf(rest[0]);
    const id = rest[1];
    const h = id
      ? await store.db.selectFrom('webhooks').selectAll().where('site_id', '=', site.id).where('id', '=', id).executeTakeFirst()
      : undefined;
    if (!h) throw new Error(`No webhook "${id ?? ''}" on ${site.id}.`);
    await store.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('webhook_deliveries').where('webhook_id', '=', h.id).execute();
      await tx.deleteFrom('webhooks').where('id', '=', h.id).execute();
      await ms.audit(tx, { site_id: site.id, actor: 'cli', action: 'webhook.delete', details: { webhook: h.id, url: h.url } });
    });
    out(`Webhook ${h.id} removed.`);
    return 0;
  }
  if (cmd === 'audit' && sub === 'export') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'csv' },
        since: { type: 'string' },
        until: { type: 'string' },
      },
    });
    const site = await siteOf(positionals[0]);
    if (values.format === 'csv') out('at,action,actor,actor_kind,member,chapter,thread,comment,note,details');
    for await (const r of ms.auditAll(site.id, { since: values.since, until: values.until })) {
      const e = {
        at: r.created_at,
        action: r.action,
        actor: r.actor_host_id,
        actorKind: r.actor ?? 'member',
        member: r.member_host_id,
        chapter: r.chapter_id,
        thread: r.thread_key,
        comment: r.comment_id,
        note: r.note,
        details: r.details ? JSON.parse(r.details) : null,
      };
      if (values.format === 'jsonl') out(JSON.stringify(e));
      else {
        out(
          Object.values(e)
            .map((v) => {
              const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
              const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
              return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
            })
            .join(','),
        );
      }
    }
    return 0;
  }
  out(MODERATION_USAGE);
  return 2;
}
