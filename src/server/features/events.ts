import { routes } from '../../contract/routes.js';
import type { Registrar } from '../app.js';
import { canSee } from '../audience.js';
import { decodeCursor, encodeCursor, eventOut } from '../mapping.js';
import { problem } from '../problem.js';

/** Events and RSVPs. */
export function install(register: Registrar) {
  register(routes.listEvents, async ({ store, site, query, viewer, now }) => {
    if (!viewer && !site.settings.publicRead) throw problem(401, 'auth.missing', 'Sign in to see events');
    const past = query.past === '1' || query.past === 'true';
    const limit = query.limit ?? 20;
    const chapters = query.chapter?.split(',').map((s) => s.trim()).filter(Boolean);
    const rows = await store.events(site.id, {
      chapters, past, now: new Date(now()).toISOString(), after: decodeCursor(query.cursor),
      limit: limit + 1, memberPk: viewer?.pk,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      body: {
        items: page.filter((e) => canSee(e.audience, viewer, site.settings.publicRead)).map((e) => eventOut(e, e.my_status === 'going')),
        next: rows.length > limit && last ? encodeCursor(last.starts_at, last.id) : null,
      },
    };
  });
}
