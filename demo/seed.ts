import type { Store } from '../src/server/store/store.js';
import { newSecret } from '../src/server/store/store.js';
import { CANONICAL, CHAPTERS, MEMBERS, SITE_ID, SITE_NAME, memberById } from './directory.js';
import type { VisibilitySettings } from '../src/contract/members.js';
import { MemberStore, type ProfileValues } from '../src/server/store/members.js';
import { DiscussionStore } from '../src/server/store/discussion.js';

const ZONE = 'Europe/Paris';
const DAY = 24 * 3600 * 1000;

/** Offset of `zone` from UTC at `utcMs`, in milliseconds. */
function zoneOffset(utcMs: number, zone: string) {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
      .formatToParts(utcMs)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000 : 0;
}

/** The UTC instant of `hh:mm` wall-clock time in Paris, `days` days from `now`. */
function parisTime(now: number, days: number, hh: number, mm = 0): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    now + days * DAY,
  );
  const [y, mo, d] = day.split('-').map(Number);
  const wall = Date.UTC(y, mo - 1, d, hh, mm);
  let utc = wall - zoneOffset(wall, ZONE);
  utc = wall - zoneOffset(utc, ZONE); // settle on the offset in force at that instant (DST days)
  return new Date(utc).toISOString();
}

const loopback = (origin: string) => /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(origin);

/** `http://localhost:PORT` and `http://127.0.0.1:PORT` for a loopback origin; the origin alone otherwise. */
function originsFor(origin: string) {
  const u = new URL(origin);
  if (!loopback(u.origin)) return [u.origin];
  return [`${u.protocol}//localhost:${u.port}`, `${u.protocol}//127.0.0.1:${u.port}`];
}

/**
 * Makes the demo site ready for the demo host at `origin`: on first start, creates the site, its key,
 * chapters, members, discussions and events; on every start, lists the current origin (the port may
 * have changed) and refreshes the members from the host's directory.
 */
export async function seedDemo(store: Store, origin: string, now = Date.now()): Promise<{ created: boolean }> {
  const existing = await store.site(SITE_ID);
  const current = originsFor(origin);
  const loginUrl = `${new URL(origin).origin}/login`;
  if (existing) {
    // Keep origins the administrator added; replace the loopback ones of earlier runs.
    const origins = [...existing.origins.filter((o) => !loopback(o)), ...current];
    await store.updateSite(SITE_ID, { origins, settings: { loginUrl, publicProfiles: true } });
  } else {
    await store.createSite({ id: SITE_ID, name: SITE_NAME, origins: current, settings: { loginUrl, publicProfiles: true } });
    await store.addKey(SITE_ID, { alg: 'HS256', secret: newSecret(), encoding: 'text' });
  }
  for (const c of CHAPTERS) await store.upsertChapter(SITE_ID, c.id, c.name);
  const iat = Math.floor(now / 1000);
  const pk = new Map<string, string>();
  for (const x of MEMBERS) {
    const row = await store.upsertMember(SITE_ID, {
      sub: x.id,
      iat,
      name: x.name,
      picture: `${new URL(origin).origin}/avatars/${x.id}.svg`,
      roles: x.roles,
      chapters: x.chapters,
    });
    pk.set(x.id, row.pk);
  }
  if (existing) return { created: false };

  await seedDiscussions(store, pk, now);
  await seedEvents(store, pk, now);
  await seedProfiles(store, pk);
  return { created: true };
}

interface SeedComment {
  ref?: string;
  replyTo?: string;
  author: string;
  hoursAgo: number;
  body: string;
  /** Members who reacted, by kind. */
  reactions?: Record<string, string[]>;
  /** Held for a moderator (a first-time poster on a site with pre-moderation). */
  pending?: boolean;
}

const THREADS: { key: string; title: string; audience: string; comments: SeedComment[] }[] = [
  {
    key: `${CANONICAL}/articles/transmission-entreprise`,
    title: 'Transmettre son entreprise : ce que nos membres ont appris',
    audience: 'public',
    comments: [
      {
        ref: 'a',
        author: 'adh-1006',
        hoursAgo: 96,
        body: "Merci pour ce retour d'expérience. Nous avons commencé à préparer la transmission de la maison il y a quatre ans, et je confirme : le plus long n'a pas été la valorisation mais de trouver quelqu'un qui partage notre façon de travailler avec les vignerons.",
        reactions: { thanks: ['adh-1001'], interested: ['adh-1005', 'adh-1016'] },
      },
      {
        replyTo: 'a',
        author: 'adh-1002',
        hoursAgo: 90,
        body: "Quatre ans, c'est exactement l'ordre de grandeur que l'on conseille. Pour ceux qui démarrent : faites faire un pré-diagnostic fiscal dès maintenant, le pacte Dutreil se prépare bien avant la cession.",
        reactions: { useful: ['adh-1006', 'adh-1005', 'adh-1014'], thanks: ['adh-1006'] },
      },
      {
        ref: 'b',
        author: 'adh-1005',
        hoursAgo: 50,
        body: "Question pratique : quelqu'un a-t-il déjà envisagé une reprise par les salariés (SCOP) ? Deux de mes chefs d'équipe y pensent et je ne sais pas par où commencer.",
      },
      {
        replyTo: 'b',
        author: 'adh-1020',
        hoursAgo: 46,
        body: "Oui, la cave est passée par là il y a dix ans. L'union régionale des SCOP accompagne très bien, et le délai réaliste est de 18 mois. Je peux vous présenter la personne qui nous a suivis.",
        reactions: { useful: ['adh-1005'], thanks: ['adh-1005'] },
      },
      {
        author: 'adh-1011',
        hoursAgo: 20,
        body: "Un point souvent oublié : l'annonce aux équipes. Nous l'avons faite trop tard et avons perdu deux personnes clés. Le petit-déjeuner du chapitre de Toulouse y sera consacré, inscrivez-vous !",
        reactions: { useful: ['adh-1001'], interested: ['adh-1018'] },
      },
    ],
  },
  {
    key: `${CANONICAL}/articles/recrutement-alternance`,
    title: "Recruter en alternance : nos retours d'expérience",
    audience: 'members',
    comments: [
      {
        author: 'adh-1014',
        hoursAgo: 70,
        body: 'Chez nous, quatre alternants sur cinq sont restés après leur diplôme. La clé : un tuteur qui a du temps, vraiment, pas seulement sur le papier.',
      },
      {
        ref: 'q',
        author: 'adh-1019',
        hoursAgo: 30,
        body: "Quelqu'un a-t-il une bonne adresse d'école pour des assistants vétérinaires du côté de Montpellier ?",
      },
      {
        ref: 'c',
        replyTo: 'q',
        author: 'adh-1003',
        hoursAgo: 28,
        body: "Leïla, je vous envoie deux contacts par message. Et nous cherchons nous aussi un ou une alternante en design graphique pour la rentrée, si quelqu'un connaît un profil.",
        reactions: { thanks: ['adh-1019'], useful: ['adh-1019'] },
      },
      {
        ref: 'd',
        replyTo: 'c',
        author: 'adh-1019',
        hoursAgo: 26,
        body: "Merci @[Camille Rouanet](adh-1003) ! Pour le design graphique, voyez l'**école Brassart** de Montpellier : deux de nos anciens stagiaires en viennent.",
      },
      {
        replyTo: 'd',
        author: 'adh-1015',
        hoursAgo: 12,
        body: "Je confirme pour Brassart. Nous prenons aussi une alternante chaque année :\n\n- tutrice désignée dès le recrutement\n- point mensuel avec l'école",
        reactions: { useful: ['adh-1003'] },
      },
      {
        author: 'adh-1016',
        hoursAgo: 2,
        pending: true,
        body: 'Première participation : nous cherchons un alternant mécanicien agricole pour Nîmes. Quelles aides avez-vous obtenues pour un premier contrat ?',
      },
    ],
  },
];

async function seedDiscussions(store: Store, pk: Map<string, string>, now: number) {
  const ds = new DiscussionStore(store);
  for (const t of THREADS) {
    const thread = await store.setThread(SITE_ID, t.key, { title: t.title, audience: t.audience });
    const opened = new Date(now - Math.max(...t.comments.map((c) => c.hoursAgo)) * 3600_000 - 3600_000).toISOString();
    await store.db.updateTable('threads').set({ created_at: opened }).where('site_id', '=', SITE_ID).where('key', '=', t.key).execute();
    const ids = new Map<string, string>();
    // Oldest first, so that ids and times keep the same order.
    for (const c of [...t.comments].sort((a, b) => b.hoursAgo - a.hoursAgo)) {
      const author = pk.get(c.author)!;
      const { id } = await store.insertComment({
        site_id: SITE_ID,
        thread_pk: thread!.pk,
        parent_id: c.replyTo ? ids.get(c.replyTo)! : null,
        author_pk: author,
        body: c.body,
        status: c.pending ? 'pending' : 'published',
        idempotency_key: null,
        held_reason: c.pending ? 'first_post' : null,
      });
      if (c.ref) ids.set(c.ref, id);
      await store.db
        .updateTable('comments')
        .set({ created_at: new Date(now - c.hoursAgo * 3600_000).toISOString() })
        .where('site_id', '=', SITE_ID)
        .where('id', '=', id)
        .execute();
      const mentioned = [...c.body.matchAll(/@\[[^\]]*\]\(([^)]+)\)/g)].map((m) => pk.get(m[1])!);
      if (mentioned.length) await ds.setMentions(store.db, SITE_ID, id, mentioned);
      if (c.pending) continue;
      await store.recordActivity(SITE_ID, author, 'comment.posted', id);
      for (const [kind, who] of Object.entries(c.reactions ?? {})) {
        for (const m of who) await ds.react(SITE_ID, { id, author_pk: author }, pk.get(m)!, kind);
      }
    }
  }
}

interface SeedEvent {
  chapter: string | null;
  title: string;
  description: string;
  days: number;
  start: [number, number];
  end: [number, number];
  place: string | null;
  online?: string;
  capacity: number | null;
  audience: string;
  going: string[];
  /** Guests a member may bring. */
  maxGuests?: number;
  /** The organiser's member number. */
  organiser?: string;
  /** Answers close this many days before the start, at the same time of day. */
  closesDaysBefore?: number;
}

const EVENTS: SeedEvent[] = [
  {
    chapter: 'toulouse',
    title: 'Petit-déjeuner : annoncer une transmission à ses équipes',
    description:
      "Trois dirigeants racontent comment ils ont annoncé la cession ou la reprise de leur entreprise, et ce qu'ils feraient autrement. Échanges en petits groupes ensuite.",
    days: 6,
    start: [8, 0],
    end: [9, 30],
    place: 'Espace Diagora, Labège',
    capacity: 30,
    audience: 'public',
    going: ['adh-1001', 'adh-1002', 'adh-1007', 'adh-1011', 'adh-1014', 'adh-1018'],
    organiser: 'adh-1001',
    closesDaysBefore: 1,
  },
  {
    chapter: null,
    title: 'Webinaire : cybersécurité des PME, les cinq gestes qui comptent',
    description:
      'Émilie Teisseire passe en revue les attaques qui ont touché des membres cette année et les parades les plus simples. 45 minutes, questions comprises.',
    days: 9,
    start: [12, 30],
    end: [13, 30],
    place: null,
    online: 'https://visio.example/cdo-cyber',
    capacity: null,
    audience: 'members',
    going: ['adh-1017', 'adh-1004', 'adh-1009'],
  },
  {
    chapter: 'montpellier',
    title: 'Afterwork du chapitre de Montpellier',
    description:
      "Rencontre informelle entre membres et invités cooptés. Chaque membre peut venir accompagné d'un dirigeant qui souhaite découvrir le club.",
    days: 12,
    start: [18, 30],
    end: [21, 0],
    place: 'Halle Tropisme, Montpellier',
    capacity: 40,
    audience: 'public',
    going: ['adh-1003', 'adh-1004', 'adh-1010', 'adh-1015', 'adh-1019'],
    maxGuests: 1,
    organiser: 'adh-1014',
  },
  {
    chapter: 'toulouse',
    title: 'Dîner des nouveaux membres',
    description:
      'Six couverts autour des membres arrivés cette année, pour faire connaissance avec le bureau. Complet : inscrivez-vous sur la liste d’attente, les places libérées sont attribuées dans l’ordre.',
    days: 15,
    start: [19, 30],
    end: [22, 0],
    place: 'Les Jardins de l’Opéra, Toulouse',
    capacity: 6,
    audience: 'public',
    going: ['adh-1001', 'adh-1002', 'adh-1007', 'adh-1011', 'adh-1014', 'adh-1018'],
    organiser: 'adh-1001',
  },
  {
    chapter: 'perpignan',
    title: "Visite d'entreprise : une conserverie artisanale",
    description:
      'Thomas Vidal ouvre les portes de son atelier : circuits courts, saisonnalité et export. Places limitées pour des raisons de sécurité.',
    days: 19,
    start: [14, 0],
    end: [17, 0],
    place: 'Rivesaltes',
    capacity: 8,
    audience: 'members',
    going: ['adh-1008', 'adh-1005', 'adh-1013', 'adh-1017', 'adh-1001', 'adh-1006', 'adh-1016'],
  },
  {
    chapter: 'nimes',
    title: 'Conférence : financer la transition énergétique de son site',
    description:
      "Aides régionales, certificats d'économies d'énergie, tiers-financement : un panorama concret avec deux membres qui ont rénové leurs bâtiments.",
    days: 26,
    start: [18, 0],
    end: [20, 0],
    place: 'Chambre de commerce, Nîmes',
    capacity: null,
    audience: 'public',
    going: ['adh-1009', 'adh-1012', 'adh-1020'],
  },
  {
    chapter: null,
    title: 'Assemblée générale régionale',
    description: "Bilan de l'année, élection du bureau et dîner des quatre chapitres.",
    days: 45,
    start: [17, 0],
    end: [22, 0],
    place: 'Carcassonne',
    capacity: 120,
    audience: 'members',
    going: ['adh-1001', 'adh-1002', 'adh-1004'],
  },
  {
    chapter: 'toulouse',
    title: 'Atelier : fixer ses prix quand les coûts bougent',
    description: 'Retour sur les méthodes partagées par les membres du chapitre.',
    days: -10,
    start: [8, 0],
    end: [9, 30],
    place: 'Toulouse',
    capacity: 25,
    audience: 'public',
    going: ['adh-1001', 'adh-1018'],
  },
];

async function seedEvents(store: Store, pk: Map<string, string>, now: number) {
  for (const e of EVENTS) {
    const row = await store.insertEvent({
      site_id: SITE_ID,
      chapter_id: e.chapter,
      title: e.title,
      description: e.description,
      starts_at: parisTime(now, e.days, ...e.start),
      ends_at: parisTime(now, e.days, ...e.end),
      time_zone: ZONE,
      place: e.place,
      online_url: e.online ?? null,
      capacity: e.capacity,
      audience: e.audience,
      max_guests: e.maxGuests ?? 0,
      organiser_pk: e.organiser ? pk.get(e.organiser)! : null,
      rsvp_deadline: e.closesDaysBefore ? parisTime(now, e.days - e.closesDaysBefore, ...e.start) : null,
    });
    for (const who of e.going) {
      if (!memberById(who)) throw new Error(`Unknown member ${who}`);
      await store.setRsvp(SITE_ID, row.id, pk.get(who)!, 'going');
    }
  }
}

/**
 * Member cards with varied consent: some share their work with everyone, some keep details to their
 * chapter, one keeps everything to themself (and out of the directory).
 */
const PROFILES: Record<
  string,
  Omit<ProfileValues, 'expertise' | 'visibility'> & { expertise?: string[]; visibility: Partial<VisibilitySettings> }
> = {
  'adh-1001': {
    headline: 'Présidente du club, dirigeante de Marty Menuiserie',
    company: 'Marty Menuiserie Industrielle',
    association_role: 'Présidente',
    expertise: ['Transmission', 'Industrie', 'Gouvernance'],
    bio: 'Trente ans dans la menuiserie industrielle, reprise de l’entreprise familiale en 2004.\n\nJ’aide volontiers les membres qui préparent une transmission.',
    website: 'https://marty-menuiserie.example.fr',
    phone: '+33 5 61 00 10 01',
    email: 'helene.marty@marty-menuiserie.example.fr',
    visibility: {
      headline: 'public',
      company: 'public',
      associationRole: 'public',
      expertise: 'public',
      bio: 'members',
      website: 'public',
      listed: 'public',
      phone: 'chapter',
      email: 'private',
    },
  },
  'adh-1002': {
    headline: 'Expert-comptable, transmission et fiscalité des PME',
    company: 'Castagné & Associés',
    association_role: 'Trésorier',
    expertise: ['Fiscalité', 'Transmission', 'Financement'],
    linkedin: 'https://www.linkedin.com/in/jm-castagne-demo',
    phone: '+33 5 61 00 10 02',
    email: 'jm.castagne@castagne.example.fr',
    visibility: { expertise: 'public', linkedin: 'members', phone: 'chapter', email: 'members' },
  },
  'adh-1003': {
    headline: 'Agence de communication pour l’industrie',
    company: 'Rouanet Com',
    expertise: ['Communication', 'Marque employeur'],
    website: 'https://rouanet-com.example.fr',
    email: 'camille@rouanet-com.example.fr',
    visibility: { website: 'public', email: 'private' },
  },
  'adh-1004': {
    headline: 'Logiciels de gestion pour les artisans',
    company: 'Benali Soft',
    expertise: ['Numérique', 'Logiciel'],
    bio: 'Éditeur de logiciels depuis 2011, 40 salariés à Montpellier.',
    phone: '+33 4 67 00 10 04',
    visibility: { bio: 'chapter', phone: 'chapter' },
  },
  'adh-1007': {
    headline: 'Bureau d’études en efficacité énergétique',
    company: 'Roques Énergie',
    expertise: ['Énergie', 'Industrie'],
    visibility: { headline: 'public', company: 'public', expertise: 'public' },
  },
  'adh-1014': {
    headline: 'Sous-traitance aéronautique, Toulouse et Montpellier',
    company: 'Carrère Aéro',
    association_role: 'Délégué des antennes Toulouse et Montpellier',
    expertise: ['Aéronautique', 'Export', 'Industrie'],
    phone: '+33 5 61 00 10 14',
    visibility: { phone: 'chapter' },
  },
  'adh-1017': {
    headline: 'Conseil en cybersécurité',
    company: 'Teisseire Cyber',
    expertise: ['Cybersécurité', 'Numérique'],
    visibility: {
      headline: 'private',
      company: 'private',
      associationRole: 'private',
      expertise: 'private',
      bio: 'private',
      website: 'private',
      linkedin: 'private',
      phone: 'private',
      email: 'private',
      listed: 'private',
    },
  },
};

async function seedProfiles(store: Store, pk: Map<string, string>) {
  const cards = new MemberStore(store.db);
  for (const [id, { visibility, expertise, ...fields }] of Object.entries(PROFILES)) {
    await cards.saveProfile(SITE_ID, pk.get(id)!, {
      ...fields,
      expertise: JSON.stringify(expertise ?? []),
      visibility: JSON.stringify(visibility),
    });
  }
}
