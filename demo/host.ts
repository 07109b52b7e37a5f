import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { SignJWT } from 'jose';
import type { Store } from '../src/server/store/store.js';
import { listEvents } from '../src/server/store/events.js';
import { CHAPTERS, MEMBERS, SITE_ID, initials, memberById, type DirectoryMember } from './directory.js';
import { PAGES, type Lang, type Page, eventList, header, footer, loginForm, memberList } from './pages.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SESSION_COOKIE = 'cdo_session';
const SESSION_HOURS = 8;

export interface HostOptions {
  /** Where the Cercle server answers, as the browser reaches it. */
  cercleUrl: string;
  /**
   * The demo reads two things from Cercle's store: the site's HS256 secret (a real site keeps the
   * secret the `cercle site add` command printed in its own configuration) and the upcoming events
   * it lists server-side.
   */
  store: Store;
}

/** The association's website: its pages, its own sign-in, and the token endpoint Cercle needs. */
function createHost({ cercleUrl, store }: HostOptions) {
  const app = new Hono();
  const sessions = new Map<string, { memberId: string; expires: number }>();

  function signedInMember(c: Context): DirectoryMember | undefined {
    const sid = getCookie(c, SESSION_COOKIE);
    const s = sid ? sessions.get(sid) : undefined;
    if (!s || s.expires < Date.now()) return undefined;
    return memberById(s.memberId);
  }

  /** The site's current signing key. A real site reads it from its configuration. */
  async function siteKey() {
    const key = (await store.activeKeys(SITE_ID)).find((k) => k.alg === 'HS256' && k.secret);
    if (!key) throw new Error(`Site "${SITE_ID}" has no HS256 key`);
    return {
      kid: key.kid,
      secret: key.secret_encoding === 'text' ? new TextEncoder().encode(key.secret!) : Buffer.from(key.secret!, 'base64url'),
    };
  }

  // ---- The token endpoint: the one thing a webmaster adds to the site for Cercle. ----
  async function cercleToken(c: Context) {
    c.header('cache-control', 'no-store');
    const member = signedInMember(c);
    if (!member) return c.json({ error: 'signed_out' }, 401);
    const { kid, secret } = await siteKey();
    const token = await new SignJWT({
      name: member.name,
      picture: new URL(`/avatars/${member.id}.svg`, c.req.url).href,
      roles: member.roles,
      chapters: member.chapters,
      ...(member.moderates ? { moderates: member.moderates } : {}),
      // For notifications by mail, where the Cercle server sends it itself (the member opts in); the association writes in French.
      email: `${member.id}@membres.example.org`,
      locale: 'fr-FR',
    })
      .setProtectedHeader({ alg: 'HS256', kid })
      .setIssuer(SITE_ID)
      .setAudience('cercle')
      .setSubject(member.id)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(secret);
    return c.json({ token });
  }
  app.get('/cercle-token', cercleToken);

  // ---- The site's own sign-in (a stand-in for whatever the association's CMS uses). ----
  const sameOrigin = (c: Context) => {
    const origin = c.req.header('origin');
    return !origin || origin === new URL(c.req.url).origin;
  };
  /** A path on this site to return to: `next`, else the page the visitor came from, else home. */
  function returnPath(c: Context, next: string | undefined, lang: Lang) {
    const home = lang === 'en' ? '/en/' : '/';
    const candidate =
      next ??
      (() => {
        const ref = c.req.header('referer');
        if (!ref) return undefined;
        const u = new URL(ref);
        return u.origin === new URL(c.req.url).origin && !/^\/(en\/)?login/.test(u.pathname) ? u.pathname + u.search : undefined;
      })();
    return candidate && /^\/(?![/\\])/.test(candidate) ? candidate : home;
  }

  for (const lang of ['fr', 'en'] as const) {
    const prefix = lang === 'en' ? '/en' : '';
    app.get(`${prefix}/login`, async (c) => {
      const page: Page = {
        path: `${prefix}/login`,
        file: `${lang}/login.html`,
        lang,
        nav: null,
        alt: lang === 'en' ? '/login' : '/en/login',
      };
      const next = returnPath(c, c.req.query('next'), lang);
      return render(c, page, { form: loginForm(lang, MEMBERS, CHAPTERS, next, signedInMember(c)) });
    });
    app.post(`${prefix}/login`, async (c) => {
      if (!sameOrigin(c)) return c.text('Forbidden', 403);
      const form = await c.req.parseBody();
      const member = memberById(String(form.member ?? ''));
      if (!member) return c.redirect(`${prefix}/login`, 303);
      const sid = randomBytes(24).toString('base64url');
      sessions.set(sid, { memberId: member.id, expires: Date.now() + SESSION_HOURS * 3600_000 });
      setCookie(c, SESSION_COOKIE, sid, {
        httpOnly: true,
        sameSite: 'Lax',
        path: '/',
        maxAge: SESSION_HOURS * 3600,
        secure: new URL(c.req.url).protocol === 'https:',
      });
      return c.redirect(returnPath(c, typeof form.next === 'string' ? form.next : undefined, lang), 303);
    });
  }
  app.post('/logout', async (c) => {
    if (!sameOrigin(c)) return c.text('Forbidden', 403);
    const sid = getCookie(c, SESSION_COOKIE);
    if (sid) sessions.delete(sid);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    const form = await c.req.parseBody();
    return c.redirect(returnPath(c, typeof form.next === 'string' ? form.next : undefined, 'fr'), 303);
  });

  // ---- Pages ----
  const templates = new Map<string, string>();
  async function template(file: string) {
    let t = templates.get(file);
    if (t === undefined) {
      t = await readFile(join(HERE, 'pages', file), 'utf8');
      templates.set(file, t);
    }
    return t;
  }

  async function render(c: Context, page: Page, extra: Record<string, string> = {}) {
    const member = signedInMember(c);
    const values: Record<string, string> = {
      cercle: cercleUrl,
      header: header(page, member),
      footer: footer(page.lang),
      ...extra,
    };
    const html = (await template(page.file)).replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      if (!(name in values)) throw new Error(`${page.file}: no value for {{${name}}}`);
      return values[name];
    });
    c.header('cache-control', 'private, no-cache');
    return c.html(html);
  }

  async function upcoming(member: DirectoryMember | undefined, limit: number) {
    const rows = await listEvents(store, SITE_ID, {
      memberPk: null,
      audiences: null,
      mode: 'upcoming',
      now: new Date().toISOString(),
      limit: 50,
    });
    return rows.filter((e) => !e.cancelled_at && visibleTo(e.audience, member)).slice(0, limit);
  }

  for (const page of PAGES) {
    app.get(page.path, async (c) => {
      const member = signedInMember(c);
      const extra: Record<string, string> = {};
      if (page.events) extra.events = eventList(page.lang, await upcoming(member, page.events));
      if (page.members) extra.members = memberList(page.lang, MEMBERS, CHAPTERS);
      return render(c, page, extra);
    });
  }

  app.get('/avatars/:file', (c) => {
    const member = memberById(c.req.param('file').replace(/\.svg$/, ''));
    if (!member) return c.notFound();
    return c.body(avatar(member), 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' });
  });

  const ASSET_TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };
  app.get('/assets/:file', async (c) => {
    const name = c.req.param('file');
    if (!/^[a-z0-9-]+\.(css|svg)$/.test(name)) return c.notFound();
    try {
      const data = await readFile(join(HERE, 'public', name));
      return c.body(data, 200, { 'content-type': ASSET_TYPES[extname(name)], 'cache-control': 'public, max-age=300' });
    } catch {
      return c.notFound();
    }
  });

  return app;
}

/** What the host itself shows of an event, by the same audience rules Cercle applies. */
function visibleTo(audience: string, member: DirectoryMember | undefined) {
  if (audience === 'public') return true;
  if (!member) return false;
  if (audience === 'members' || member.roles.includes('admin')) return true;
  if (audience.startsWith('chapter:')) return member.chapters.includes(audience.slice('chapter:'.length));
  if (audience.startsWith('role:')) return member.roles.includes(audience.slice('role:'.length) as DirectoryMember['roles'][number]);
  return false;
}

const AVATAR_COLORS = ['#9f1d20', '#0f5c55', '#6b3fa0', '#b35900', '#1f4e8c', '#5a6b1f'];

function avatar(member: DirectoryMember) {
  const n = [...member.id].reduce((a, ch) => a + ch.charCodeAt(0), 0);
  const bg = AVATAR_COLORS[n % AVATAR_COLORS.length];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="">` +
    `<rect width="64" height="64" fill="${bg}"/>` +
    `<text x="32" y="40" font-family="Georgia, serif" font-size="24" fill="#fff" text-anchor="middle">${initials(member.name).replace(/[^A-ZÀ-Ý]/g, '')}</text></svg>`
  );
}

export interface RunningHost {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startHost(opts: HostOptions & { port: number; hostname?: string }): Promise<RunningHost> {
  const app = createHost(opts);
  let server!: ServerType;
  const port = await new Promise<number>((ok, fail) => {
    server = serve({ fetch: app.fetch, port: opts.port, hostname: opts.hostname ?? '127.0.0.1' }, (info) => ok(info.port));
    server.once('error', fail);
  });
  return {
    url: `http://localhost:${port}`,
    port,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
