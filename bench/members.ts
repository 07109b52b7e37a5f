// Member cards benchmark: the real server on loopback over 1,000 members with profiles of varied visibility.
import { SignJWT } from 'jose';
import type { Visibility } from '../src/contract/members.js';
import { silentLogger } from '../src/server/app.js';
import { startServer } from '../src/server/main.js';
import { MemberStore } from '../src/server/store/members.js';
import { newSecret } from '../src/server/store/store.js';
import { load, type Stats } from './server.js';
import { benchStore } from './support.js';

const MEMBERS = 1000;
const CHAPTERS = ['toulouse', 'montpellier', 'nimes', 'perpignan', 'albi'];
const TAGS = ['transmission', 'fiscalité', 'export', 'industrie', 'numérique', 'énergie', 'droit social', 'financement'];
const LEVELS: Visibility[] = ['public', 'members', 'chapter', 'private'];

export async function benchMembers(kind: 'sqlite' | 'postgres'): Promise<Record<string, Stats | number>> {
  const { store, dispose } = await benchStore(kind, 'members');
  const secret = newSecret();
  await store.createSite({ id: 'bench', name: 'Bench', origins: ['http://bench.example'] });
  await store.addKey('bench', { alg: 'HS256', secret });
  for (const c of CHAPTERS) await store.upsertChapter('bench', c, c[0].toUpperCase() + c.slice(1));
  const ms = new MemberStore(store.db);
  const iat = Math.floor(Date.now() / 1000);
  for (let i = 0; i < MEMBERS; i++) {
    const m = await store.upsertMember('bench', {
      sub: `m${i}`,
      iat,
      name: `Membre ${String(i).padStart(4, '0')}`,
      chapters: [CHAPTERS[i % CHAPTERS.length]],
    });
    const level = (k: number) => LEVELS[(i + k) % LEVELS.length];
    await ms.saveProfile('bench', m.pk, {
      headline: `Dirigeant·e n°${i}, ${TAGS[i % TAGS.length]}`,
      company: `Entreprise ${i}`,
      association_role: i % 20 ? null : 'Délégué·e',
      expertise: JSON.stringify([TAGS[i % TAGS.length], TAGS[(i * 3) % TAGS.length]]),
      bio: 'Vingt ans dans le métier. '.repeat(8),
      website: `https://entreprise-${i}.example.fr`,
      phone: '+33 6 00 00 00 00',
      email: `m${i}@example.fr`,
      visibility: JSON.stringify({
        headline: level(0),
        company: level(1),
        expertise: level(2),
        bio: level(3),
        phone: level(1),
        email: 'private',
        listed: i % 10 ? 'members' : 'private',
      }),
    });
  }
  const server = await startServer({ port: 0, store, logger: silentLogger });
  const sign = (sub: string, chapter: string) =>
    new SignJWT({ name: `Lecteur ${sub}`, chapters: [chapter] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('bench')
      .setAudience('cercle')
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('30m')
      .sign(Buffer.from(secret, 'base64url'));
  const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => sign(`m${i}`, CHAPTERS[i % CHAPTERS.length])));
  const base = `${server.url}/v1/sites/bench`;
  const get = async (path: string, i: number, signedIn = true) => {
    const r = await fetch(`${base}${path}`, { headers: signedIn ? { authorization: `Bearer ${tokens[i % tokens.length]}` } : {} });
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
    await r.arrayBuffer();
  };
  const fifty = (i: number) => Array.from({ length: 50 }, (_, k) => `m${(i * 50 + k) % MEMBERS}`).join(',');
  try {
    const card = await load(3000, 8, (i) => get(`/members/m${(i * 7) % MEMBERS}`, i));
    const cardOut = await load(3000, 8, (i) => get(`/members/m${(i * 7) % MEMBERS}`, i, false));
    const fiftyCards = await load(500, 4, (i) => get(`/members?ids=${fifty(i)}`, i));
    const batch = await load(500, 4, async (i) => {
      const r = await fetch(`${base}/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` },
        body: JSON.stringify({ reads: ['/me', `/members?ids=${fifty(i)}`] }),
      });
      const body = (await r.json()) as { results: { status: number }[] };
      if (body.results[1].status !== 200) throw new Error(`batch ${body.results[1].status}`);
    });
    const search = await load(500, 4, (i) => get(`/members?q=${encodeURIComponent(TAGS[i % TAGS.length])}&limit=20`, i));
    const chapter = await load(500, 4, (i) => get(`/members?chapter=${CHAPTERS[i % CHAPTERS.length]}&limit=20`, i));
    const noMatch = await load(100, 2, (i) => get('/members?q=introuvable', i));
    return {
      members: MEMBERS,
      'read one card, signed in (8 in flight)': card,
      'read one card, signed out (8 in flight)': cardOut,
      'read 50 cards by id in one request (4 in flight)': fiftyCards,
      'a page of 50 hovercards: POST /batch with /me and /members?ids= (4 in flight)': batch,
      'directory search ?q=, first 20 (4 in flight)': search,
      'directory by chapter, first 20 (4 in flight)': chapter,
      'directory search matching no one (full-text index; 2 in flight)': noMatch,
    };
  } finally {
    await server.close();
    await dispose();
  }
}
