import {
  CONTACT_FIELDS, type ContactDetails, type ContactField, type Introduction, type IntroductionState, type MemberCard,
  type MemberExport, type Profile, type ProfilePatch, type VisibilitySettings,
} from '../../../contract/members.js';
import { routes } from '../../../contract/routes.js';
import type { HandlerContext, Registrar } from '../../http/types.js';
import { chapterName, decodeCursor, encodeCursor, memberSummary } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import { MemberStore, type MemberWithProfile, type ProfileValues } from '../../store/members.js';
import type { IntroductionRow, MemberProfileRow } from '../../store/schema.js';
import type { Site, Store } from '../../store/store.js';
import type { Viewer } from '../../http/viewer.js';
import { fold, mayRead, readerOf, visibilitySettings, type Reader } from '../../domain/visibility.js';
import { MAX_PENDING_INTRODUCTIONS } from '../../../contract/members.js';

// One MemberStore a Store: it holds nothing but the Kysely instance.
const stores = new WeakMap<Store, MemberStore>();
const membersOf = (store: Store) => {
  let s = stores.get(store);
  if (!s) stores.set(store, (s = new MemberStore(store.db)));
  return s;
};

type ProfileKey = Exclude<keyof Profile, 'expertise'>;
const COLUMN: Record<ProfileKey, keyof MemberProfileRow> = {
  headline: 'headline', company: 'company', associationRole: 'association_role', bio: 'bio',
  website: 'website', linkedin: 'linkedin', phone: 'phone', email: 'email',
};

/** Every field of the member's profile, unfiltered (for the member themself and the export). */
function fullProfile(p: MemberProfileRow | null) {
  return {
    headline: p?.headline ?? null,
    company: p?.company ?? null,
    associationRole: p?.association_role ?? null,
    expertise: p ? (JSON.parse(p.expertise) as string[]) : [],
    bio: p?.bio ?? null,
    website: p?.website ?? null,
    linkedin: p?.linkedin ?? null,
    phone: p?.phone ?? null,
    email: p?.email ?? null,
  };
}

const parseShare = (json: string): ContactField[] => {
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is ContactField => (CONTACT_FIELDS as readonly string[]).includes(x)) : [];
  } catch {
    return [];
  }
};

/** Contact fields of `member` shared with the reader through introductions between them. */
function sharedThroughIntroductions(member: MemberWithProfile, reader: Reader, intros: IntroductionRow[]): Set<ContactField> {
  const out = new Set<ContactField>();
  for (const i of intros) {
    // The recipient gave these on accepting; the requester offered theirs with the request (until declined).
    if (i.from_pk === reader.pk && i.to_pk === member.pk && i.status === 'accepted') parseShare(i.to_share).forEach((f) => out.add(f));
    if (i.to_pk === reader.pk && i.from_pk === member.pk && i.status !== 'declined') parseShare(i.from_share).forEach((f) => out.add(f));
  }
  return out;
}

function introductionState(member: MemberWithProfile, reader: Reader, intros: IntroductionRow[]): IntroductionState | null {
  const mine = intros.filter((i) => (i.from_pk === reader.pk && i.to_pk === member.pk) || (i.to_pk === reader.pk && i.from_pk === member.pk));
  if (!mine.length) return null;
  // A request waiting for the reader's answer comes first; then the newest.
  const pick = mine.find((i) => i.to_pk === reader.pk && i.status === 'pending')
    ?? [...mine].sort((a, b) => (a.created_at < b.created_at ? 1 : -1))[0];
  return { id: pick.id, status: pick.status, direction: pick.from_pk === reader.pk ? 'sent' : 'received' };
}

interface CardContext {
  reader: Reader | null;
  chapterNames: Map<string, string>;
  intros: IntroductionRow[];
}

/**
 * The card of `m` as `reader` may see it: a field leaves the server only when its visibility
 * admits this reader, or when the member shared it with them in an introduction.
 */
export function cardFor(m: MemberWithProfile, ctx: CardContext): MemberCard {
  const { reader } = ctx;
  const self = !!reader && reader.pk === m.pk;
  const chapters: string[] = JSON.parse(m.chapters);
  const vis = visibilitySettings(m.profile?.visibility);
  const all = fullProfile(m.profile);
  const shared = reader && !self ? sharedThroughIntroductions(m, reader, ctx.intros) : new Set<ContactField>();
  const profile: Profile = {};
  const sharedWithYou: ContactField[] = [];
  for (const key of Object.keys(COLUMN) as ProfileKey[]) {
    const value = all[key];
    if (!value) continue;
    if (mayRead(vis[key], reader, m.pk, chapters)) profile[key] = value;
    else if (shared.has(key as ContactField)) {
      profile[key] = value;
      sharedWithYou.push(key as ContactField);
    }
  }
  if (all.expertise.length && mayRead(vis.expertise, reader, m.pk, chapters)) profile.expertise = all.expertise;
  return {
    ...memberSummary(m),
    chapterDetails: chapters.map((id) => ({ id, name: chapterName(id, ctx.chapterNames.get(id)) })),
    roles: JSON.parse(m.roles),
    since: m.created_at,
    memberSince: m.member_since,
    profile,
    sharedWithYou,
    self,
    ...(self ? { visibility: vis } : {}),
    introduction: reader && !self ? introductionState(m, reader, ctx.intros) : null,
  };
}

/** Whether `reader` finds `m` in the directory, and matches the filters on what they may see. */
function matches(m: MemberWithProfile, reader: Reader | null, f: { terms: string[]; chapter?: string; expertise?: string }): boolean {
  const chapters: string[] = JSON.parse(m.chapters);
  const vis = visibilitySettings(m.profile?.visibility);
  if (!mayRead(vis.listed, reader, m.pk, chapters)) return false;
  if (f.chapter && !chapters.includes(f.chapter)) return false;
  const all = fullProfile(m.profile);
  const tags = mayRead(vis.expertise, reader, m.pk, chapters) ? all.expertise.map(fold) : [];
  if (f.expertise && !tags.includes(fold(f.expertise))) return false;
  if (!f.terms.length) return true;
  const haystack = [fold(m.name), ...tags];
  for (const key of ['headline', 'company', 'associationRole'] as const) {
    const value = all[key];
    if (value && mayRead(vis[key], reader, m.pk, chapters)) haystack.push(fold(value));
  }
  const text = haystack.join('\n');
  return f.terms.every((t) => text.includes(t));
}

// Directory cursors carry (name, pk): names are not times, so they get their own encoding.
const encodeNameCursor = (name: string, pk: string) => Buffer.from(JSON.stringify(['n', name, pk])).toString('base64url');
function decodeNameCursor(cursor: string | undefined): [string, string] | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 3 && v[0] === 'n' && typeof v[1] === 'string' && typeof v[2] === 'string' && v[2].length <= 64) return [v[1], v[2]];
  } catch { /* fall through */ }
  throw problem(400, 'request.bad_cursor', 'The cursor is not valid', 'Use the `next` value of a previous page.');
}

function mustRead(site: Site, viewer: Viewer | null) {
  if (!viewer && !site.settings.publicRead) throw problem(401, 'auth.missing', 'Sign in to see members');
}

async function resolve(ms: MemberStore, site: Site, viewer: Viewer | null, ref: string): Promise<MemberWithProfile> {
  if (ref === 'me') {
    if (!viewer) throw problem(401, 'auth.missing', 'Sign in to see your card', 'Send the token from the site\'s token endpoint as "Authorization: Bearer …".');
    return (await ms.byPk(site.id, viewer.pk))!;
  }
  const [m] = await ms.byHostIds(site.id, [ref]);
  if (!m) throw problem(404, 'member.unknown', 'No such member', ref);
  return m;
}

async function cardContext(ms: MemberStore, site: Site, viewer: Viewer | null, members: MemberWithProfile[]): Promise<CardContext> {
  const reader = readerOf(viewer);
  const [chapterNames, intros] = await Promise.all([
    ms.chapterNames(site.id),
    reader ? ms.introductionsWith(site.id, reader.pk, members.filter((m) => m.pk !== reader.pk).map((m) => m.pk)) : [],
  ]);
  return { reader, chapterNames, intros };
}

/** The column values a patch sets. Empty text clears a field; expertise tags are kept once (ignoring case and accents). */
function patchValues(body: ProfilePatch, current: VisibilitySettings): ProfileValues {
  const values: ProfileValues = {};
  for (const key of Object.keys(COLUMN) as ProfileKey[]) {
    if (body[key] !== undefined) (values as Record<string, string | null>)[COLUMN[key]] = body[key] || null;
  }
  if (body.expertise) {
    const seen = new Set<string>();
    values.expertise = JSON.stringify(body.expertise.filter((t) => !seen.has(fold(t)) && !!seen.add(fold(t))));
  }
  if (body.visibility) values.visibility = JSON.stringify({ ...current, ...body.visibility });
  return values;
}

function introductionOut(i: IntroductionRow, reader: Reader, members: Map<string, MemberWithProfile>): Introduction {
  const sent = i.from_pk === reader.pk;
  const other = members.get(sent ? i.to_pk : i.from_pk);
  const fields = sent ? (i.status === 'accepted' ? parseShare(i.to_share) : []) : (i.status === 'declined' ? [] : parseShare(i.from_share));
  const values = fullProfile(other?.profile ?? null);
  const contact: ContactDetails = {};
  for (const f of fields) if (values[f]) contact[f] = values[f]!;
  const summary = (pk: string) => {
    const m = members.get(pk);
    return m ? memberSummary(m) : { id: 'unknown', name: '', picture: null, chapters: [] };
  };
  return {
    id: i.id,
    direction: sent ? 'sent' : 'received',
    from: summary(i.from_pk),
    to: summary(i.to_pk),
    message: i.message,
    status: i.status,
    createdAt: i.created_at,
    answeredAt: i.answered_at,
    contact,
  };
}

async function oneIntroduction(ms: MemberStore, site: Site, reader: Reader, i: IntroductionRow) {
  return introductionOut(i, reader, await ms.membersByPk(site.id, [i.from_pk, i.to_pk]));
}

async function answer(ctx: HandlerContext, id: string, accept: { share: ContactField[] } | null) {
  const { store, site } = ctx;
  const v = ctx.viewer!;
  const ms = membersOf(store);
  const intro = await ms.introduction(site.id, id);
  if (!intro || (intro.to_pk !== v.pk && intro.from_pk !== v.pk)) throw problem(404, 'introduction.unknown', 'No such introduction', id);
  if (intro.to_pk !== v.pk) throw problem(403, 'introduction.not_yours', 'Only the member asked can answer this request');
  if (intro.status !== 'pending') throw problem(409, 'introduction.answered', 'This request has already been answered', `It was ${intro.status}.`);
  const done = await ms.answerIntroduction(site.id, id, v.pk, accept ? { accept: true, share: accept.share } : { accept: false });
  if (!done) throw problem(409, 'introduction.answered', 'This request has already been answered');
  return { body: await oneIntroduction(ms, site, readerOf(v)!, (await ms.introduction(site.id, id))!) };
}

/** Member cards, the directory, introductions and my data. */
export function install(register: Registrar) {
  register(routes.member, async ({ store, site, params, viewer }) => {
    mustRead(site, viewer);
    const ms = membersOf(store);
    const m = await resolve(ms, site, viewer, params.member);
    return { body: cardFor(m, await cardContext(ms, site, viewer, [m])) };
  });

  register(routes.listMembers, async ({ store, site, query, viewer }) => {
    mustRead(site, viewer);
    const ms = membersOf(store);
    const limit = query.limit ?? 20;
    if (query.ids) {
      if (query.q || query.chapter || query.expertise || query.cursor) {
        throw problem(400, 'members.ids_alone', '`ids` cannot be combined with a search', 'Send either `ids` or `q`/`chapter`/`expertise`/`cursor`.');
      }
      const ids = query.ids.split(',');
      const found = new Map((await ms.byHostIds(site.id, ids)).map((m) => [m.host_id, m]));
      const members = [...new Set(ids)].map((id) => found.get(id)).filter((m): m is MemberWithProfile => !!m);
      const ctx = await cardContext(ms, site, viewer, members);
      return { body: { items: members.map((m) => cardFor(m, ctx)), next: null } };
    }
    const reader = readerOf(viewer);
    const filters = {
      terms: fold(query.q ?? '').split(/\s+/).filter(Boolean).slice(0, 8),
      chapter: query.chapter,
      expertise: query.expertise || undefined,
    };
    // Visibility decides what may match, so the filtering happens here, over slices in name order.
    const found: MemberWithProfile[] = [];
    let after = decodeNameCursor(query.cursor);
    let more = false;
    // Slices start near the page size and grow, so a common search reads few rows and a rare one few queries.
    for (let size = Math.max(50, limit * 3); ; size = Math.min(size * 4, 2000)) {
      const slice = await ms.directorySlice(site.id, after, size);
      for (const m of slice) {
        if (found.length === limit) {
          if (matches(m, reader, filters)) {
            more = true;
            break;
          }
          continue;
        }
        if (matches(m, reader, filters)) found.push(m);
      }
      if (more || slice.length < size) break;
      const last = slice[slice.length - 1];
      after = [last.name, last.pk];
    }
    const ctx = await cardContext(ms, site, viewer, found);
    const last = found[found.length - 1];
    return { body: { items: found.map((m) => cardFor(m, ctx)), next: more && last ? encodeNameCursor(last.name, last.pk) : null } };
  });

  register(routes.updateMember, async ({ store, site, params, body, viewer }) => {
    const v = viewer!;
    if (params.member !== 'me' && params.member !== v.hostId) {
      throw problem(403, 'member.not_yours', 'You can only edit your own card');
    }
    const ms = membersOf(store);
    const before = await ms.byPk(site.id, v.pk);
    const values = patchValues(body, visibilitySettings(before?.profile?.visibility));
    if (Object.keys(values).length) await ms.saveProfile(site.id, v.pk, values);
    const m = (await ms.byPk(site.id, v.pk))!;
    return { body: cardFor(m, await cardContext(ms, site, v, [m])) };
  });

  register(routes.exportMember, async ({ store, site, viewer, now }) => {
    const v = viewer!;
    const ms = membersOf(store);
    const m = (await ms.byPk(site.id, v.pk))!;
    const rows = await ms.exportRows(site.id, v.pk);
    const data: MemberExport = {
      exportedAt: new Date(now()).toISOString(),
      site: site.id,
      member: { id: m.host_id, name: m.name, picture: m.picture, roles: JSON.parse(m.roles), chapters: JSON.parse(m.chapters), since: m.created_at },
      profile: { ...fullProfile(m.profile), visibility: visibilitySettings(m.profile?.visibility) },
      comments: rows.comments.map((c) => ({
        id: c.id, thread: c.thread, parentId: c.parent_id, body: c.body, status: c.status,
        createdAt: c.created_at, editedAt: c.edited_at, deletedAt: c.deleted_at,
      })),
      rsvps: rows.rsvps.map((r) => ({ eventId: r.event_id, event: r.title, status: r.status, guests: r.guests, updatedAt: r.updated_at })),
      introductions: rows.introductions.map((i) => {
        const sent = i.from_pk === v.pk;
        return {
          id: i.id, direction: sent ? 'sent' as const : 'received' as const, with: sent ? i.to_host : i.from_host,
          message: i.message, status: i.status, sharedByMe: parseShare(sent ? i.from_share : i.to_share),
          createdAt: i.created_at, answeredAt: i.answered_at,
        };
      }),
      activities: rows.activities.map((a) => ({ kind: a.kind, ref: a.ref, at: a.created_at })),
    };
    const day = data.exportedAt.slice(0, 10);
    return {
      body: data,
      headers: {
        'content-disposition': `attachment; filename="cercle-${site.id}-${day}.json"`,
        'cache-control': 'no-store',
      },
    };
  }, { sanctions: 'open' });

  register(routes.eraseMember, async ({ store, site, body, viewer }) => {
    const result = await membersOf(store).erase(site.id, viewer!.pk, body.comments);
    return { body: { erased: true, ...result } };
  }, { sanctions: 'open' });

  register(routes.listIntroductions, async ({ store, site, query, viewer }) => {
    const reader = readerOf(viewer)!;
    const ms = membersOf(store);
    const limit = query.limit ?? 20;
    const rows = await ms.introductionsOf(site.id, reader.pk, { status: query.status, after: decodeCursor(query.cursor), limit: limit + 1 });
    const page = rows.slice(0, limit);
    const members = await ms.membersByPk(site.id, page.flatMap((i) => [i.from_pk, i.to_pk]));
    const last = page[page.length - 1];
    return {
      body: {
        items: page.map((i) => introductionOut(i, reader, members)),
        next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
      },
    };
  });

  register(routes.requestIntroduction, async ({ store, site, body, viewer, emit }) => {
    const v = viewer!;
    const ms = membersOf(store);
    if (body.to === v.hostId) throw problem(400, 'introduction.self', 'You cannot ask to be introduced to yourself');
    const [to] = await ms.byHostIds(site.id, [body.to]);
    if (!to) throw problem(404, 'member.unknown', 'No such member', body.to);
    if (await ms.countPendingFrom(site.id, v.pk) >= MAX_PENDING_INTRODUCTIONS) {
      throw problem(429, 'introduction.too_many', 'Too many requests are waiting for an answer',
        `At most ${MAX_PENDING_INTRODUCTIONS} at once; wait for some answers.`);
    }
    const row = await ms.insertIntroduction(site.id, v.pk, to.pk, body.message, body.share ?? []);
    if (!row) throw problem(409, 'introduction.exists', 'You have already asked to be introduced to this member');
    const i = await oneIntroduction(ms, site, readerOf(v)!, row);
    await emit('introduction.requested', {
      site: site.id, introduction: { id: i.id, createdAt: i.createdAt }, from: { id: i.from.id, name: i.from.name }, to: { id: i.to.id, name: i.to.name },
    });
    return { status: 201, body: i };
  });

  register(routes.acceptIntroduction, async (ctx) => answer(ctx as HandlerContext, ctx.params.id, { share: ctx.body.share }));
  register(routes.declineIntroduction, async (ctx) => answer(ctx as HandlerContext, ctx.params.id, null));
}
