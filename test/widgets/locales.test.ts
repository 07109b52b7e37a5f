import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { LitElement } from 'lit';
import { http, HttpResponse } from 'msw';
import { strict } from '../../src/client/strict.js';
import { LiveReady } from '../../src/contract/live.js';
import { BatchResponse } from '../../src/contract/requests.js';
import { Event, EventPage } from '../../src/contract/resources.js';
import { CHAPTER_TERMS, type ChapterTerm } from '../../src/contract/defaults.js';
import { Localize, registerLocale, warnMissingStrings } from '../../src/i18n/localize.js';
import { en as commonEn } from '../../src/i18n/locales/en.js';
import { fr as commonFr } from '../../src/i18n/locales/fr.js';
import { de as commonDe } from '../../src/i18n/locales/de.js';
import { es as commonEs } from '../../src/i18n/locales/es.js';
import { en as discussionEn } from '../../src/widgets/discussion/locales/en.js';
import { fr as discussionFr } from '../../src/widgets/discussion/locales/fr.js';
import { de as discussionDe } from '../../src/widgets/discussion/locales/de.js';
import { es as discussionEs } from '../../src/widgets/discussion/locales/es.js';
import { en as cardEn } from '../../src/widgets/member-card/locales/en.js';
import { fr as cardFr } from '../../src/widgets/member-card/locales/fr.js';
import { de as cardDe } from '../../src/widgets/member-card/locales/de.js';
import { es as cardEs } from '../../src/widgets/member-card/locales/es.js';
import { en as searchEn } from '../../src/widgets/search/locales/en.js';
import { fr as searchFr } from '../../src/widgets/search/locales/fr.js';
import { de as searchDe } from '../../src/widgets/search/locales/de.js';
import { es as searchEs } from '../../src/widgets/search/locales/es.js';
import { en as directoryEn } from '../../src/widgets/member-directory/locales/en.js';
import { fr as directoryFr } from '../../src/widgets/member-directory/locales/fr.js';
import { de as directoryDe } from '../../src/widgets/member-directory/locales/de.js';
import { es as directoryEs } from '../../src/widgets/member-directory/locales/es.js';
import { en as badgeEn } from '../../src/widgets/engagement-badge/locales/en.js';
import { fr as badgeFr } from '../../src/widgets/engagement-badge/locales/fr.js';
import { de as badgeDe } from '../../src/widgets/engagement-badge/locales/de.js';
import { es as badgeEs } from '../../src/widgets/engagement-badge/locales/es.js';
import { en as feedEn } from '../../src/widgets/event-feed/locales/en.js';
import { fr as feedFr } from '../../src/widgets/event-feed/locales/fr.js';
import { de as feedDe } from '../../src/widgets/event-feed/locales/de.js';
import { es as feedEs } from '../../src/widgets/event-feed/locales/es.js';
import { en as moderationEn } from '../../src/widgets/moderation/locales/en.js';
import { fr as moderationFr } from '../../src/widgets/moderation/locales/fr.js';
import { de as moderationDe } from '../../src/widgets/moderation/locales/de.js';
import { es as moderationEs } from '../../src/widgets/moderation/locales/es.js';
import { en as organiserEn } from '../../src/widgets/event-organiser/locales/en.js';
import { fr as organiserFr } from '../../src/widgets/event-organiser/locales/fr.js';
import { de as organiserDe } from '../../src/widgets/event-organiser/locales/de.js';
import { es as organiserEs } from '../../src/widgets/event-organiser/locales/es.js';
import { en as notificationsEn } from '../../src/widgets/notifications/locales/en.js';
import { fr as notificationsFr } from '../../src/widgets/notifications/locales/fr.js';
import { de as notificationsDe } from '../../src/widgets/notifications/locales/de.js';
import { es as notificationsEs } from '../../src/widgets/notifications/locales/es.js';
import '../../src/widgets/discussion/strings.js';
import '../../src/widgets/event-feed/define.js';
import type { CercleEventFeed } from '../../src/widgets/event-feed/event-feed.js';
import { API, BASE, LOGIN_URL, member, problem, site, SITE, TOKEN_URL } from './fixtures.js';
import { json, startWorker, worker } from './kit/msw.js';

type Dict = Record<string, unknown>;

/** A catalog as a site with `term` sees it: the strings that name local groups in its word. */
const resolve = (d: Dict, t: ChapterTerm): Dict =>
  Object.fromEntries(
    Object.entries(d).map(([k, v]) => [
      k,
      typeof v === 'function' && Symbol.for('cercle.term') in v
        ? (v as (t: ChapterTerm) => unknown)(t)
        : v && typeof v === 'object'
          ? resolve(v as Dict, t)
          : v,
    ]),
  );

/** Every catalog by widget: English first, the shape the others follow. */
const catalogs: Record<string, Record<string, Dict>> = {
  common: { en: commonEn, fr: commonFr, de: commonDe, es: commonEs },
  discussion: { en: discussionEn, fr: discussionFr, de: discussionDe, es: discussionEs },
  'member-card': { en: cardEn, fr: cardFr, de: cardDe, es: cardEs },
  'member-directory': { en: directoryEn, fr: directoryFr, de: directoryDe, es: directoryEs },
  'engagement-badge': { en: badgeEn, fr: badgeFr, de: badgeDe, es: badgeEs },
  'event-feed': { en: feedEn, fr: feedFr, de: feedDe, es: feedEs },
  moderation: { en: moderationEn, fr: moderationFr, de: moderationDe, es: moderationEs },
  'event-organiser': { en: organiserEn, fr: organiserFr, de: organiserDe, es: organiserEs },
  search: { en: searchEn, fr: searchFr, de: searchDe, es: searchEs },
  notifications: { en: notificationsEn, fr: notificationsFr, de: notificationsDe, es: notificationsEs },
};

/** Values standing for the arguments of a function string, to see which of them its text shows. */
const args = ['ARG-A', 'ARG-B', 'ARG-C'];
/** A function string's text for `n` and the sample arguments (a plural takes the number first). */
const call = (f: (...a: never[]) => string, n: number) => (f as (...a: unknown[]) => string)(...(f.length === 1 ? [n, ...args] : args));
/** What a function string shows of its arguments: the number, each sample. */
const shown = (text: string, n: number) => [String(n), ...args].filter((a) => text.includes(a));
const count = (text: string) => text.split('#').length - 1;

/** Every string of a catalog with its path; function strings by their text for 1 and for 7. */
function* strings(d: Dict, path = ''): Generator<[string, string]> {
  for (const [k, v] of Object.entries(d)) {
    if (typeof v === 'string') yield [path + k, v];
    else if (typeof v === 'function') for (const n of [1, 7]) yield [`${path + k}(${n})`, call(v as () => string, n)];
    else if (v && typeof v === 'object') yield* strings(v as Dict, path + k + '.');
  }
}

describe('catalogs', () => {
  for (const [widget, byLang] of Object.entries(catalogs)) {
    for (const lang of ['fr', 'de', 'es']) {
      it(`${widget} in ${lang} has every English key, with the same placeholders and arities`, () => {
        const problems: string[] = [];
        const compare = (en: Dict, other: Dict, path: string) => {
          for (const [k, v] of Object.entries(en)) {
            const o = other[k];
            const at = path + k;
            if (o === undefined) problems.push(`${at}: missing`);
            else if (typeof v !== typeof o) problems.push(`${at}: ${typeof o} where English has a ${typeof v}`);
            else if (typeof v === 'function') {
              const f = o as () => string;
              if (f.length !== (v as () => string).length)
                problems.push(`${at}: takes ${f.length} arguments, English ${(v as () => string).length}`);
              else
                for (const n of [1, 7]) {
                  const want = shown(call(v as () => string, n), n).join(),
                    got = shown(call(f, n), n).join();
                  if (want !== got) problems.push(`${at}(${n}): shows [${got}], English [${want}]`);
                }
            } else if (typeof v === 'string' && count(v) !== count(o as string))
              problems.push(`${at}: ${count(o as string)} #, English ${count(v)}`);
            else if (v && typeof v === 'object') compare(v as Dict, o as Dict, at + '.');
          }
        };
        for (const t of CHAPTER_TERMS) compare(resolve(byLang.en, t), resolve(byLang[lang], t), `(${t}) `);
        expect(problems).to.deep.equal([]);
      });
    }
  }

  it('French puts a no-break space before : ; ? ! » and after «, and in n°', () => {
    const bad: string[] = [];
    for (const [widget, byLang] of Object.entries(catalogs))
      for (const t of CHAPTER_TERMS)
        for (const [path, text] of strings(resolve(byLang.fr, t))) if (/ [:;?!»]|« |n° /.test(text)) bad.push(`${widget}.${path}: ${text}`);
    expect(bad).to.deep.equal([]);
  });

  it('quotes each language its own way, and no accessible name reads a middle dot', () => {
    const bad: string[] = [];
    const wrong: Record<string, RegExp> = { en: /[«»„]/, fr: /[“”„]/, de: /[«»”]/, es: /[„]/ };
    for (const [widget, byLang] of Object.entries(catalogs))
      for (const [lang, re] of Object.entries(wrong))
        for (const t of CHAPTER_TERMS)
          for (const [path, text] of strings(resolve(byLang[lang], t)))
            if (re.test(text) || /\p{L}·\p{L}/u.test(text)) bad.push(`${widget}.${lang}.${path}: ${text}`);
    expect(bad).to.deep.equal([]);
  });
});

// ---- the language in use -------------------------------------------------------------------------

const localize = (lang: string) => {
  const el = document.createElement('div');
  el.lang = lang;
  document.body.append(el);
  return new Localize(el, () => undefined, 'discussion', { en: discussionEn, fr: discussionFr });
};

/** A widget of one line, in the discussion's words. */
class Heading extends LitElement {
  l = new Localize(this, () => undefined, 'discussion', { en: discussionEn, fr: discussionFr });
  override render() {
    return html`<h2>${this.l.t.heading}</h2>`;
  }
}
customElements.define('test-localized-heading', Heading);

describe('the language in use', () => {
  afterEach(fixtureCleanup);

  it('is English, with the region for dates, for a language nobody gave', () => {
    expect(localize('pt').lang).to.equal('en');
    expect(localize('pt-BR').lang).to.equal('en-BR');
    expect(localize('en-GB').lang).to.equal('en-GB');
    expect(localize('fr-CA').lang).to.equal('fr-CA');
  });

  it('loads a shipped language the first time a widget needs it, marking the text with the language it is in', async () => {
    const el = await fixture<Heading>(html`<div lang="es"><test-localized-heading></test-localized-heading></div>`).then(
      (d) => d.firstElementChild as Heading,
    );
    const h2 = () => el.shadowRoot!.querySelector('h2')!;
    // Until the module is there: English, said to be English.
    if (h2().textContent === 'Comments') expect(h2().getAttribute('lang')).to.equal('en');
    await waitUntil(() => h2().textContent === 'Comentarios', 'the Spanish strings');
    expect(h2().getAttribute('lang')).to.equal('es');
    expect(el.l.t.count(2)).to.equal('2 comentarios');
  });

  it('warns once per missing key while developing, and not once turned off', () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => warnings.push(m);
    try {
      registerLocale('it', 'discussion', { heading: 'Commenti' });
      const l = localize('it');
      expect(l.t.heading).to.equal('Commenti');
      expect(l.t.post).to.equal('Post');
      expect(l.lang).to.equal('it');
      registerLocale('it', 'discussion', { post: 'Pubblica' });
      expect(l.t.post).to.equal('Pubblica');
      const about = (key: string) => warnings.filter((w) => w.includes(`"${key}"`)).length;
      expect(about('post')).to.equal(1);
      expect(about('loading')).to.equal(1);
      expect(about('errors')).to.equal(1);
      expect(about('heading')).to.equal(0);
      warnings.length = 0;
      warnMissingStrings(false);
      registerLocale('it-CH', 'discussion', { heading: 'Commenti' });
      expect(localize('it-CH').t.loading).to.equal('Loading comments…');
      expect(warnings).to.deep.equal([]);
    } finally {
      console.warn = warn;
      warnMissingStrings(true);
    }
  });
});

// ---- the association's own words ---------------------------------------------------------------

describe('the association’s word for its local groups', () => {
  const strings = <W extends 'member-card' | 'moderation' | 'engagement-badge'>(
    widget: W,
    lang: string,
    chapterTerm: ChapterTerm | undefined,
  ) => {
    const host = Object.assign(document.createElement('div'), { chapterTerm });
    host.lang = lang;
    document.body.append(host);
    const dicts = {
      'member-card': { en: cardEn, fr: cardFr },
      moderation: { en: moderationEn, fr: moderationFr },
      'engagement-badge': { en: badgeEn, fr: badgeFr },
    };
    return new Localize(host, () => undefined, widget, dicts[widget] as never).t;
  };

  it('is the site’s term in every widget, French articles agreeing with it', () => {
    expect(strings('member-card', 'fr', 'branch').levels.chapter).to.equal('Mes antennes');
    expect(strings('member-card', 'fr', 'branch').chapters('Lyon')).to.equal('Antennes\u00a0: Lyon');
    expect(strings('moderation', 'fr', 'branch').chapter).to.equal('Antenne');
    expect(strings('engagement-badge', 'fr', 'branch').inChapter('Lyon')).to.equal('dans l’antenne Lyon');
    expect(strings('engagement-badge', 'fr', 'club').inChapter('Lyon')).to.equal('au club Lyon');
    expect(strings('engagement-badge', 'fr', 'delegation').kinds['chapter.first_contribution']).to.equal(
      'Première contribution dans une délégation',
    );
    expect(strings('engagement-badge', 'fr', 'club').kinds['chapter.first_contribution']).to.equal('Première contribution dans un club');
    expect(strings('moderation', 'en', 'section').errors['moderation.chapter_forbidden']).to.equal(
      'This is in a section you do not moderate.',
    );
    expect(strings('member-card', 'en-GB', undefined).levels.chapter).to.equal('My chapters');
    expect(strings('moderation', 'fr', undefined).chapter).to.equal('Chapitre');
  });

  it('is the site’s term in German and Spanish too', async () => {
    await import('../../src/locales/de.js');
    await import('../../src/locales/es.js');
    expect(strings('engagement-badge', 'de', 'club').inChapter('Köln')).to.equal('im Club Köln');
    expect(strings('member-card', 'de', 'branch').levels.chapter).to.equal('Meine Zweigstellen');
    expect(strings('moderation', 'es', 'delegation').chapter).to.equal('Delegación');
  });
});

// ---- regional formats -----------------------------------------------------------------------------

const event = Event.parse({
  id: 'ev-region',
  chapter: { id: 'lyon', name: 'Lyon' },
  title: 'Assemblée générale',
  description: '',
  startsAt: '2030-03-14T18:00:00.000Z',
  endsAt: '2030-03-14T20:00:00.000Z',
  timeZone: 'UTC',
  place: null,
  url: null,
  online: false,
  onlineUrl: null,
  capacity: null,
  going: 0,
  taken: 0,
  placesLeft: null,
  maybe: 0,
  waitlist: 0,
  maxGuests: 0,
  rsvpDeadline: null,
  rsvpOpen: true,
  organiser: member(),
  audience: 'public',
  cancelled: false,
  cancelledAt: null,
  cancelReason: null,
  sequence: 0,
  updatedAt: '2030-01-01T00:00:00.000Z',
  myRsvp: null,
  canManage: false,
});

/** The events API for a reader who is not signed in: the site, one event. */
const answer = (path: string) => {
  const url = new URL(path, 'http://x');
  if (url.pathname === '/') return { status: 200, body: site() };
  if (url.pathname === '/events') return { status: 200, body: EventPage.parse({ items: [event], next: null }) };
  return { status: 404, body: problem(404, 'route.not_found') };
};

describe('regional formats', () => {
  before(startWorker);
  beforeEach(() =>
    worker.resetHandlers(
      http.post(`${BASE}/live`, () => {
        const ready = LiveReady.parse({
          stream: 's',
          key: 'k'.repeat(32),
          heartbeatMs: 25_000,
          retentionSeconds: 86_400,
          tokenExpiresAt: null,
          lastEventId: '1',
        });
        const body = new ReadableStream({
          start: (c) => c.enqueue(new TextEncoder().encode(`event: ready\ndata: ${JSON.stringify(ready)}\n\n`)),
        });
        return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
      }),
      http.get(TOKEN_URL, () => new HttpResponse(null, { status: 401 })),
      http.post(`${BASE}/batch`, async ({ request }) => {
        const { reads } = (await request.json()) as { reads: string[] };
        return json(200, BatchResponse.parse({ results: reads.map(answer) }));
      }),
      http.get(`${BASE}`, () => json(200, site())),
      http.get(`${BASE}/*`, ({ request }) => {
        const a = answer(new URL(request.url).pathname.slice(new URL(BASE).pathname.length) || '/');
        return json(a.status, a.body);
      }),
    ),
  );
  afterEach(fixtureCleanup);

  const shownDate = async (lang: string) => {
    const root = await fixture(html`
      <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang=${lang} .parse=${strict}>
        <cercle-event-feed time-zone="UTC"></cercle-event-feed>
      </cercle-community>
    `);
    const feed = root.querySelector<CercleEventFeed>('cercle-event-feed')!;
    await waitUntil(() => feed.shadowRoot!.querySelector(`time[datetime="${event.startsAt}"]`), 'the event shown');
    return feed.shadowRoot!.querySelector(`time[datetime="${event.startsAt}"]`)!.textContent!.trim();
  };

  it('writes an English date the way the page’s region does', async () => {
    const gb = await shownDate('en-GB');
    const us = await shownDate('en-US');
    expect(gb).to.match(/Thursday,? 14 March/);
    expect(gb).to.not.match(/[ap]m/i);
    expect(us).to.match(/Thursday, March 14/);
    expect(us).to.match(/PM/i);
    expect(gb).to.not.equal(us);
  });
});
