import { SettingsPatch } from '../../contract/moderation.js';
import { applyPatch } from '../features/admin/settings.js';
import { ModerationStore } from '../store/moderation.js';
import type { Store } from '../store/store.js';

export const SETTINGS_USAGE = `  settings show SITE        print the site's settings (JSON; the spam check's key is never shown)
  settings set SITE KEY=VALUE…
                             change settings, VALUE as JSON or plain text: premoderation=first-time
                             editWindowSeconds=600 'heldWords=["arnaque"]' publicRead=false publicProfiles=true rateLimits=null
                             chapterTerm=branch (chapter, branch, delegation, club or section)
                             'notifications={"smtp":{"host":"smtp.example.org","port":587,"user":"cercle","password":"…",
                             "from":"Asso <notifications@asso.example>"},"retentionDays":90,"language":"fr"}' (smtp null: mail off)
`;

const parseValue = (raw: string): unknown => {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
};

/** `cercle settings show|set …`; the command line acts as `cli` in the audit log. */
export async function settingsCommand(store: Store, args: string[], out: (s: string) => void): Promise<number> {
  const ms = new ModerationStore(store);
  const [sub, ...rest] = args;
  const siteOf = async (id: string | undefined) => {
    const site = id ? await store.site(id) : undefined;
    if (!site) throw new Error(id ? `No site "${id}".` : `settings ${sub} needs the site id.`);
    return site;
  };

  if (sub === 'show') {
    const site = await siteOf(rest[0]);
    const { spamCheck, notifications, ...s } = site.settings;
    const smtp = notifications?.smtp;
    out(
      JSON.stringify(
        {
          name: site.name,
          origins: site.origins,
          ...s,
          spamCheck: spamCheck ? { ...spamCheck, apiKey: '(set)' } : null,
          ...(notifications
            ? { notifications: { ...notifications, smtp: smtp ? { ...smtp, password: smtp.password ? '(set)' : null } : null } }
            : {}),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  if (sub === 'set') {
    const site = await siteOf(rest[0]);
    const raw: Record<string, unknown> = {};
    for (const pair of rest.slice(1)) {
      const i = pair.indexOf('=');
      if (i < 1) throw new Error(`Expected KEY=VALUE, got "${pair}".`);
      raw[pair.slice(0, i)] = parseValue(pair.slice(i + 1));
    }
    const parsed = SettingsPatch.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) out(`✗ ${issue.path.join('.') || '(settings)'}: ${issue.message}`);
      return 1;
    }
    const { changes, update } = applyPatch(site, parsed.data);
    if (!changes.length) {
      out('Nothing changed.');
      return 0;
    }
    await store.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('sites')
        .set({ name: update.name, origins: JSON.stringify(update.origins), settings: JSON.stringify(update.settings) })
        .where('id', '=', site.id)
        .execute();
      await ms.audit(tx, { site_id: site.id, actor: 'cli', action: 'settings.update', details: Object.fromEntries(changes) });
    });
    for (const [k, v] of changes) out(`${k}: ${JSON.stringify(v.from)} → ${JSON.stringify(v.to)}`);
    return 0;
  }
  out(SETTINGS_USAGE);
  return 2;
}
