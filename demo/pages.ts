import type { EventWithCounts } from '../src/server/store/store.js';
import { SITE_NAME, type Chapter, type DirectoryMember } from './directory.js';

export type Lang = 'fr' | 'en';

export interface Page {
  path: string;
  /** Template under `demo/pages/`. */
  file: string;
  lang: Lang;
  /** Which navigation entry is current. */
  nav: 'home' | 'articles' | 'events' | 'members' | null;
  /** The same page in the other language, if there is one. */
  alt: string | null;
  /** How many upcoming events the page lists (fills `{{events}}`). */
  events?: number;
  /** Whether the page lists the member directory (fills `{{members}}`). */
  members?: boolean;
}

export const PAGES: Page[] = [
  { path: '/', file: 'fr/index.html', lang: 'fr', nav: 'home', alt: '/en/', events: 3 },
  {
    path: '/articles/transmission-entreprise',
    file: 'fr/transmission-entreprise.html',
    lang: 'fr',
    nav: 'articles',
    alt: '/en/articles/transmission-entreprise',
  },
  { path: '/articles/recrutement-alternance', file: 'fr/recrutement-alternance.html', lang: 'fr', nav: 'articles', alt: null },
  { path: '/evenements', file: 'fr/evenements.html', lang: 'fr', nav: 'events', alt: '/en/events' },
  { path: '/membres', file: 'fr/membres.html', lang: 'fr', nav: 'members', alt: '/en/members', members: true },
  { path: '/en/', file: 'en/index.html', lang: 'en', nav: 'home', alt: '/', events: 3 },
  {
    path: '/en/articles/transmission-entreprise',
    file: 'en/transmission-entreprise.html',
    lang: 'en',
    nav: 'articles',
    alt: '/articles/transmission-entreprise',
  },
  { path: '/en/events', file: 'en/events.html', lang: 'en', nav: 'events', alt: '/evenements' },
  { path: '/en/members', file: 'en/members.html', lang: 'en', nav: 'members', alt: '/membres', members: true },
  { path: '/moderation', file: 'fr/moderation.html', lang: 'fr', nav: null, alt: '/en/moderation' },
  { path: '/en/moderation', file: 'en/moderation.html', lang: 'en', nav: null, alt: '/moderation' },
  { path: '/equipe', file: 'fr/equipe.html', lang: 'fr', nav: null, alt: '/en/team' },
  { path: '/en/team', file: 'en/team.html', lang: 'en', nav: null, alt: '/equipe' },
  { path: '/administration', file: 'fr/administration.html', lang: 'fr', nav: null, alt: '/en/administration' },
  { path: '/en/administration', file: 'en/administration.html', lang: 'en', nav: null, alt: '/administration' },
];

const T = {
  fr: {
    home: 'Accueil',
    articles: 'Articles',
    events: 'Événements',
    members: 'Membres',
    navLabel: 'Navigation principale',
    signIn: 'Se connecter',
    signOut: 'Se déconnecter',
    signedInAs: 'Connecté·e :',
    otherLang: 'English',
    otherLangCode: 'en',
    tagline: "Association de dirigeants d'entreprise, membres par cooptation",
    chapters: 'Chapitres',
    chapterOf: 'Chapitre de',
    regional: 'Tous les chapitres',
    online: 'En ligne',
    seatsLeft: (n: number, cap: number) => `${n} place${n > 1 ? 's' : ''} restante${n > 1 ? 's' : ''} sur ${cap}`,
    full: "Complet, liste d'attente ouverte",
    going: (n: number) => `${n} inscrit${n > 1 ? 's' : ''}`,
    membersOnly: 'Réservé aux membres',
    noEvents: 'Aucun rendez-vous à venir pour le moment.',
    roleAdmin: 'Bureau',
    roleModerator: 'Modération',
    demo: 'Site de démonstration de Cercle : association, membres et contenus sont fictifs.',
    footerCercle: 'Discussions, annuaire et événements des membres : Cercle. Aucun traceur, aucune donnée transmise à des tiers.',
    memberSpace: 'Espace membres',
    chooseMember: 'Choisissez un membre',
    alreadyAs: 'Vous êtes actuellement connecté·e en tant que',
    home_path: '/',
    events_path: '/evenements',
    members_path: '/membres',
    login_path: '/login',
  },
  en: {
    home: 'Home',
    articles: 'Articles',
    events: 'Events',
    members: 'Members',
    navLabel: 'Main navigation',
    signIn: 'Sign in',
    signOut: 'Sign out',
    signedInAs: 'Signed in:',
    otherLang: 'Français',
    otherLangCode: 'fr',
    tagline: 'An association of business leaders, membership by co-optation',
    chapters: 'Chapters',
    chapterOf: 'Chapter of',
    regional: 'All chapters',
    online: 'Online',
    seatsLeft: (n: number, cap: number) => `${n} of ${cap} seat${cap > 1 ? 's' : ''} left`,
    full: 'Full, waiting list open',
    going: (n: number) => `${n} going`,
    membersOnly: 'Members only',
    noEvents: 'No upcoming events for now.',
    roleAdmin: 'Board',
    roleModerator: 'Moderator',
    demo: 'Cercle demonstration site: the association, its members and its content are fictitious.',
    footerCercle: 'Member discussions, directory and events: Cercle. No trackers, nothing sent to third parties.',
    memberSpace: 'Members area',
    chooseMember: 'Choose a member',
    alreadyAs: 'You are currently signed in as',
    home_path: '/en/',
    events_path: '/en/events',
    members_path: '/en/members',
    login_path: '/en/login',
  },
} as const;

/** Escapes text for HTML content and attribute values. */
function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

export function header(page: Page, member: DirectoryMember | undefined): string {
  const t = T[page.lang];
  const link = (key: Page['nav'] & string, href: string, label: string) =>
    `<li><a href="${href}"${page.nav === key ? ' aria-current="page"' : ''}>${esc(label)}</a></li>`;
  const account = member
    ? `<span class="account-who"><img class="avatar" src="/avatars/${esc(member.id)}.svg" alt="" width="24" height="24">` +
      `<span><span class="visually-hidden">${esc(t.signedInAs)} </span>${esc(member.name)}</span> <cercle-engagement-badge member="me"></cercle-engagement-badge></span>` +
      `<cercle-notifications></cercle-notifications>` +
      `<form method="post" action="/logout"><input type="hidden" name="next" value="${esc(page.path)}">` +
      `<button type="submit" class="link-button">${esc(t.signOut)}</button></form>`
    : `<a href="${t.login_path}?next=${encodeURIComponent(page.path)}">${esc(t.signIn)}</a>`;
  const other = page.alt ?? T[t.otherLangCode].home_path;
  return `<header class="site-header">
  <div class="topbar">
    <div class="wrap topbar-row">
      <a class="lang-switch" href="${esc(other)}" hreflang="${t.otherLangCode}" lang="${t.otherLangCode}">${esc(t.otherLang)}</a>
      <div class="account">${account}</div>
    </div>
  </div>
  <div class="wrap header-row">
    <a class="brand" href="${t.home_path}"><img src="/assets/logo.svg" alt="" width="44" height="44"><span class="brand-name">${esc(SITE_NAME)}</span></a>
    <nav class="main-nav" aria-label="${esc(t.navLabel)}"><ul>
      ${link('home', t.home_path, t.home)}
      ${link('articles', `${t.home_path}#articles`, t.articles)}
      ${link('events', t.events_path, t.events)}
      ${link('members', t.members_path, t.members)}
    </ul></nav>
  </div>
</header>`;
}

export function footer(lang: Lang): string {
  const t = T[lang];
  return `<footer class="site-footer">
  <div class="wrap footer-grid">
    <div>
      <p class="footer-name">${esc(SITE_NAME)}</p>
      <p>${esc(t.tagline)}</p>
    </div>
    <div>
      <p class="footer-name">${esc(t.chapters)}</p>
      <p>Toulouse · Montpellier · Perpignan · Nîmes</p>
    </div>
    <div>
      <p>${esc(t.footerCercle)}</p>
      <p><a href="${t.login_path}">${esc(t.memberSpace)}</a></p>
    </div>
  </div>
  <p class="wrap demo-note">${esc(t.demo)}</p>
</footer>`;
}

function formatEventTime(lang: Lang, e: EventWithCounts) {
  const locale = lang === 'fr' ? 'fr-FR' : 'en-GB';
  const start = new Date(e.starts_at);
  const end = new Date(e.ends_at);
  const part = (opts: Intl.DateTimeFormatOptions, d = start) =>
    new Intl.DateTimeFormat(locale, { timeZone: e.time_zone, ...opts }).format(d);
  const time = (d: Date) => part({ hour: '2-digit', minute: '2-digit' }, d);
  return {
    day: part({ day: 'numeric' }),
    month: part({ month: 'short' }),
    long: `${part({ weekday: 'long', day: 'numeric', month: 'long' })} · ${time(start)}–${time(end)}`,
  };
}

/** Upcoming events as the host renders them server-side. */
export function eventList(lang: Lang, events: EventWithCounts[]): string {
  const t = T[lang];
  if (events.length === 0) return `<p class="empty">${esc(t.noEvents)}</p>`;
  const items = events.map((e) => {
    const when = formatEventTime(lang, e);
    const where = e.online_url ? t.online : e.place;
    const chapter = e.chapter_name ? `${t.chapterOf} ${e.chapter_name}` : t.regional;
    const seats = e.capacity === null ? t.going(e.going) : e.going >= e.capacity ? t.full : t.seatsLeft(e.capacity - e.going, e.capacity);
    return `<li class="event">
      <time class="event-date" datetime="${esc(e.starts_at)}"><span class="event-day">${esc(when.day)}</span><span class="event-month">${esc(when.month)}</span></time>
      <div class="event-body">
        <h3>${esc(e.title)}</h3>
        <p class="event-meta">${esc(when.long)}${where ? ` · ${esc(where)}` : ''} · ${esc(chapter)}</p>
        <p>${esc(e.description)}</p>
        <p class="event-seats">${esc(seats)}${e.audience !== 'public' ? ` · <span class="tag">${esc(t.membersOnly)}</span>` : ''}</p>
      </div>
    </li>`;
  });
  return `<ol class="event-list">${items.join('\n')}</ol>`;
}

function roleTag(lang: Lang, m: DirectoryMember) {
  const t = T[lang];
  if (m.roles.includes('admin')) return `<span class="tag">${esc(t.roleAdmin)}</span>`;
  if (m.roles.includes('moderator')) return `<span class="tag">${esc(t.roleModerator)}</span>`;
  return '';
}

/** The association's directory, by chapter (a member of two chapters shows in both). */
export function memberList(lang: Lang, members: DirectoryMember[], chapters: Chapter[]): string {
  return chapters
    .map((ch) => {
      // A member's entry in their first chapter is the target of links to their card (`/membres#adh-1003`).
      const items = members
        .filter((m) => m.chapters.includes(ch.id))
        .map(
          (m) => `<li class="member"${m.chapters[0] === ch.id ? ` id="${esc(m.id)}"` : ''}>
        <img class="avatar avatar-large" src="/avatars/${esc(m.id)}.svg" alt="" width="56" height="56">
        <div><p class="member-name"><cercle-member-card member="${esc(m.id)}" variant="hovercard">${esc(m.name)}</cercle-member-card> ${roleTag(lang, m)}</p><p class="member-business">${esc(m.business[lang])}</p></div>
      </li>`,
        );
      return `<section class="chapter" aria-labelledby="chapter-${esc(ch.id)}">
      <h2 id="chapter-${esc(ch.id)}">${esc(ch.name)}</h2>
      <ul class="member-grid">${items.join('\n')}</ul>
    </section>`;
    })
    .join('\n');
}

/** The demo's sign-in form: pick a member, no password. */
export function loginForm(
  lang: Lang,
  members: DirectoryMember[],
  chapters: Chapter[],
  next: string,
  current: DirectoryMember | undefined,
): string {
  const t = T[lang];
  const groups = chapters.map((ch) => {
    const choices = members
      .filter((m) => m.chapters[0] === ch.id)
      .map(
        (m) => `<label class="member-choice">
          <input type="radio" name="member" value="${esc(m.id)}" required${current?.id === m.id ? ' checked' : ''}>
          <img class="avatar" src="/avatars/${esc(m.id)}.svg" alt="" width="32" height="32">
          <span><span class="member-name">${esc(m.name)}</span> ${roleTag(lang, m)}<span class="member-business">${esc(m.business[lang])}</span></span>
        </label>`,
      );
    return `<fieldset><legend>${esc(ch.name)}</legend>${choices.join('\n')}</fieldset>`;
  });
  const already = current ? `<p class="notice">${esc(t.alreadyAs)} ${esc(current.name)}.</p>` : '';
  return `${already}<form method="post" action="${t.login_path}" class="login-form">
    <input type="hidden" name="next" value="${esc(next)}">
    <p class="form-hint">${esc(t.chooseMember)}</p>
    <div class="login-groups">${groups.join('\n')}</div>
    <p><button type="submit" class="button">${esc(t.signIn)}</button></p>
  </form>`;
}
