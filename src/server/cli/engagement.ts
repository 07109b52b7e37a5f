import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { recomputeSite, rulesFor, saveRules } from '../store/engagement.js';
import type { Store } from '../store/store.js';

export const ENGAGEMENT_USAGE = `  engagement recompute [--site ID]
                             recompute every level and badge from the activity ledger (all sites by default)
  engagement rules show --site ID
                             print the site's rules (JSON)
  engagement rules set --site ID --file RULES.json
                             validate and store the site's rules, then recompute its awards
`;

/** `cercle engagement …`. */
export async function engagementCommand(store: Store, args: string[], out: (s: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'recompute') {
    const { values } = parseArgs({ args: rest, options: { site: { type: 'string' } } });
    const sites = values.site ? [values.site] : (await store.sites()).map((s) => s.id);
    if (values.site && !(await store.site(values.site))) throw new Error(`No site "${values.site}".`);
    for (const id of sites) {
      const s = await recomputeSite(store, id);
      out(
        `${id}: ${s.members} members, ${s.activities} activities in ${s.ms} ms; badges +${s.awardsAdded} −${s.awardsRemoved}, levels changed ${s.levelsChanged}`,
      );
    }
    return 0;
  }
  if (sub === 'rules') {
    const [action, ...more] = rest;
    const { values } = parseArgs({ args: more, options: { site: { type: 'string' }, file: { type: 'string' } } });
    if (!values.site || !(await store.site(values.site))) throw new Error(`engagement rules needs --site with an existing site.`);
    if (action === 'show') {
      out(JSON.stringify(await rulesFor(store.db, store.db, values.site), null, 2));
      return 0;
    }
    if (action === 'set' && values.file) {
      const saved = await saveRules(store, values.site, JSON.parse(readFileSync(values.file, 'utf8')));
      if (!saved.ok) {
        for (const e of saved.errors) out(`✗ ${e.message}`);
        return 1;
      }
      out(
        `Rules of "${values.site}" saved; ${saved.stats.members} members recomputed (badges +${saved.stats.awardsAdded} −${saved.stats.awardsRemoved}).`,
      );
      return 0;
    }
  }
  out(ENGAGEMENT_USAGE);
  return 2;
}
