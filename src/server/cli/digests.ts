import { parseArgs } from 'node:util';
import { createDigestJobs, runDigestJobs, type Period } from '../notifications/digest.js';
import { Notifier } from '../notifications/service.js';
import type { Store } from '../store/store.js';
import type { Out } from './shared.js';

export const DIGESTS_USAGE = `  digests run [--site ID] [--period daily|weekly|both]
                             make the digest jobs of the period now (default: daily, and weekly on Mondays)
                             and run every due job (of that site, or all sites), printing each digest sent
`;

/** `cercle digests …`: what the scheduler does at 07:00 UTC, now, from the command line. */
export async function digestsCommand(store: Store, args: string[], out: Out, now: () => number = Date.now): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'run') {
    out(DIGESTS_USAGE);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { site: { type: 'string' }, period: { type: 'string' } } });
  if (values.site && !(await store.site(values.site))) throw new Error(`No site "${values.site}".`);
  if (values.period !== undefined && !['daily', 'weekly', 'both'].includes(values.period)) {
    throw new Error(`--period is daily, weekly or both, not "${values.period}".`);
  }
  const at = now();
  const periods: Period[] =
    values.period === 'both'
      ? ['daily', 'weekly']
      : values.period === 'daily' || values.period === 'weekly'
        ? [values.period]
        : new Date(at).getUTCDay() === 1
          ? ['daily', 'weekly']
          : ['daily'];
  const sites = values.site ? [values.site] : (await store.sites()).map((s) => s.id);
  let made = 0;
  for (const id of sites) for (const period of periods) made += await createDigestJobs(store, id, period, at);
  // Unsubscribe links point at CERCLE_PUBLIC_URL, as the server's own do; nothing is published live from here.
  const links = new Notifier({ store, live: { publish: async () => {} }, now });
  const r = await runDigestJobs(store, {
    now,
    site: values.site,
    mailLinks: links,
    onJob: async (j) => {
      if (!j.sent) return;
      const m = await store.db
        .selectFrom('members')
        .select('host_id')
        .where('site_id', '=', j.site)
        .where('pk', '=', j.member)
        .executeTakeFirst();
      out(`${j.site}: ${j.key} digest sent to ${m?.host_id ?? j.member}`);
    },
  });
  out(
    `${made} job${made === 1 ? '' : 's'} made (${periods.join(', ')}), ${r.jobs} run, ${r.digests} digest${r.digests === 1 ? '' : 's'} sent.`,
  );
  return 0;
}
