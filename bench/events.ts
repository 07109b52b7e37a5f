// Events benchmark: the real server on loopback; RSVP throughput when many members answer the
// same event at once (every answer serialised on that event), and on many events side by side.
import { SignJWT } from 'jose';
import { silentLogger } from '../src/server/app.js';
import { startServer } from '../src/server/main.js';
import { insertEvent } from '../src/server/store/events.js';
import { newSecret } from '../src/server/store/store.js';
import { load, type Stats } from './server.js';
import { benchStore } from './support.js';

const MEMBERS = 400;
const DAY = 86_400_000;

export async function benchEvents(kind: 'sqlite' | 'postgres'): Promise<Record<string, Stats | number>> {
  const { store, dispose } = await benchStore(kind, 'events');
  const secret = newSecret();
  await store.createSite({ id: 'bench', name: 'Bench', origins: ['http://bench.example'] });
  await store.addKey('bench', { alg: 'HS256', secret });
  const event = (capacity: number | null, i = 0) =>
    insertEvent(store, {
      site_id: 'bench',
      chapter_id: 'toulouse',
      title: `Dîner n°${i}`,
      description: '',
      time_zone: 'Europe/Paris',
      starts_at: new Date(Date.now() + 30 * DAY + i * DAY).toISOString(),
      ends_at: new Date(Date.now() + 30 * DAY + i * DAY + 7_200_000).toISOString(),
      place: 'Toulouse',
      online_url: null,
      capacity,
      audience: 'public',
    });
  const server = await startServer({ port: 0, store, logger: silentLogger });
  const sign = (sub: string) =>
    new SignJWT({ name: `Membre ${sub}` })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('bench')
      .setAudience('cercle')
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('30m')
      .sign(Buffer.from(secret, 'base64url'));
  const tokens = await Promise.all(Array.from({ length: MEMBERS }, (_, i) => sign(`m${i}`)));
  const base = `${server.url}/v1/sites/bench`;
  const answer = async (eventId: string, i: number, status: string) => {
    const r = await fetch(`${base}/events/${eventId}/rsvp`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % MEMBERS]}` },
      body: JSON.stringify({ status }),
    });
    if (r.status !== 200) throw new Error(`rsvp ${r.status}: ${await r.text()}`);
    await r.arrayBuffer();
  };
  try {
    // Sign every member in once, so that the timings are of answers, not of first sight.
    await load(MEMBERS, 8, async (i) => {
      await (await fetch(`${base}/me`, { headers: { authorization: `Bearer ${tokens[i]}` } })).arrayBuffer();
    });
    const full = await event(50);
    const contended = await load(MEMBERS, 32, (i) => answer(full.id, i, 'going'));
    const churn = await load(2 * MEMBERS, 32, (i) => answer(full.id, i % MEMBERS, i % 3 ? 'going' : 'declined'));
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => event(30, i + 1)));
    const spread = await load(2 * MEMBERS, 32, (i) => answer(many[i % many.length].id, i, i % 4 ? 'going' : 'maybe'));
    const list = await load(500, 8, async (i) => {
      const r = await fetch(`${base}/events?limit=20`, { headers: { authorization: `Bearer ${tokens[i % MEMBERS]}` } });
      if (r.status !== 200) throw new Error(`list ${r.status}`);
      await r.arrayBuffer();
    });
    const ics = await load(300, 8, async () => {
      const r = await fetch(`${base}/calendar.ics`);
      if (r.status !== 200) throw new Error(`ics ${r.status}`);
      await r.arrayBuffer();
    });
    const rows = await store.db.selectFrom('rsvps').select(['status', 'guests']).where('event_id', '=', full.id).execute();
    const taken = rows.filter((r) => r.status === 'going').length;
    if (taken > 50) throw new Error(`overbooked: ${taken} of 50`);
    return {
      [`RSVP, ${MEMBERS} members at one 50-place event (32 in flight)`]: contended,
      'RSVP churn on that event: going / declined with promotions (32 in flight)': churn,
      'RSVP spread over 20 events (32 in flight)': spread,
      'list 20 upcoming events with counts and my answer (8 in flight)': list,
      'public calendar feed, 21 events (8 in flight)': ics,
      'places taken at the 50-place event after all that (never above 50)': taken,
    };
  } finally {
    await server.close();
    await dispose();
  }
}
