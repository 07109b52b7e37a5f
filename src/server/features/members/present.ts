import {
  CONTACT_FIELDS,
  type ContactDetails,
  type ContactField,
  type Introduction,
  type IntroductionState,
  type MemberCard,
  type Profile,
  type ProfilePatch,
  type VisibilitySettings,
} from '../../../contract/members.js';
import type { HandlerContext } from '../../http/types.js';
import { chapterName, memberSummary } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import { MemberStore, type MemberWithProfile, type ProfileValues } from '../../store/members.js';
import type { IntroductionRow, MemberProfileRow } from '../../store/schema.js';
import type { Site, Store } from '../../store/store.js';
import type { Viewer } from '../../http/viewer.js';
import { fold, listedTo, mayRead, readerOf, visibilitySettings, type Reader } from '../../domain/visibility.js';

// One MemberStore a Store: it holds nothing but the Kysely instance.
export const stores = new WeakMap<Store, MemberStore>();
export const membersOf = (store: Store) => {
  let s = stores.get(store);
  if (!s) stores.set(store, (s = new MemberStore(store.db)));
  return s;
};

type ProfileKey = Exclude<keyof Profile, 'expertise'>;
const COLUMN: Record<ProfileKey, keyof MemberProfileRow> = {
  headline: 'headline',
  company: 'company',
  associationRole: 'association_role',
  bio: 'bio',
  website: 'website',
  linkedin: 'linkedin',
  phone: 'phone',
  email: 'email',
};

/** Every field of the member's profile, unfiltered (for the member themself and the export). */
export function fullProfile(p: MemberProfileRow | null) {
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

export const parseShare = (json: string): ContactField[] => {
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
  const mine = intros.filter(
    (i) => (i.from_pk === reader.pk && i.to_pk === member.pk) || (i.to_pk === reader.pk && i.from_pk === member.pk),
  );
  if (!mine.length) return null;
  // A request waiting for the reader's answer comes first; then the newest.
  const pick =
    mine.find((i) => i.to_pk === reader.pk && i.status === 'pending') ??
    [...mine].sort((a, b) => (a.created_at < b.created_at ? 1 : -1))[0];
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
export function matches(
  m: MemberWithProfile,
  reader: Reader | null,
  f: { terms: string[]; chapter?: string; expertise?: string },
): boolean {
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
export const encodeNameCursor = (name: string, pk: string) => Buffer.from(JSON.stringify(['n', name, pk])).toString('base64url');
export function decodeNameCursor(cursor: string | undefined): [string, string] | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 3 && v[0] === 'n' && typeof v[1] === 'string' && typeof v[2] === 'string' && v[2].length <= 64)
      return [v[1], v[2]];
  } catch {
    /* fall through */
  }
  throw problem(400, 'request.bad_cursor', 'The cursor is not valid', 'Use the `next` value of a previous page.');
}

/** Signed-out readers see member cards only where the site made profiles public. */
export function mustRead(site: Site, viewer: Viewer | null) {
  if (!viewer && !site.settings.publicProfiles)
    throw problem(401, 'auth.missing', 'Sign in to see members', 'This site shows member cards to signed-in members only.');
}

/** A member by host id, or `me`; a member not listed to this reader is as unknown as one who does not exist. */
export async function resolve(ms: MemberStore, site: Site, viewer: Viewer | null, ref: string): Promise<MemberWithProfile> {
  if (ref === 'me') {
    if (!viewer)
      throw problem(
        401,
        'auth.missing',
        'Sign in to see your card',
        'Send the token from the site\'s token endpoint as "Authorization: Bearer …".',
      );
    return (await ms.byPk(site.id, viewer.pk))!;
  }
  const [m] = await ms.byHostIds(site.id, [ref]);
  if (!m || !listedTo(m, viewer)) throw problem(404, 'member.unknown', 'No such member', ref);
  return m;
}

export async function cardContext(ms: MemberStore, site: Site, viewer: Viewer | null, members: MemberWithProfile[]): Promise<CardContext> {
  const reader = readerOf(viewer);
  const [chapterNames, intros] = await Promise.all([
    ms.chapterNames(site.id),
    reader
      ? ms.introductionsWith(
          site.id,
          reader.pk,
          members.filter((m) => m.pk !== reader.pk).map((m) => m.pk),
        )
      : [],
  ]);
  return { reader, chapterNames, intros };
}

/** The column values a patch sets. Empty text clears a field; expertise tags are kept once (ignoring case and accents). */
export function patchValues(body: ProfilePatch, current: VisibilitySettings): ProfileValues {
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

export function introductionOut(i: IntroductionRow, reader: Reader, members: Map<string, MemberWithProfile>): Introduction {
  const sent = i.from_pk === reader.pk;
  const other = members.get(sent ? i.to_pk : i.from_pk);
  const fields = sent ? (i.status === 'accepted' ? parseShare(i.to_share) : []) : i.status === 'declined' ? [] : parseShare(i.from_share);
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

export async function oneIntroduction(ms: MemberStore, site: Site, reader: Reader, i: IntroductionRow) {
  return introductionOut(i, reader, await ms.membersByPk(site.id, [i.from_pk, i.to_pk]));
}

export async function answer(ctx: HandlerContext, id: string, accept: { share: ContactField[] } | null) {
  const { store, site } = ctx;
  const v = ctx.viewer!;
  const ms = membersOf(store);
  const intro = await ms.introduction(site.id, id);
  if (!intro || (intro.to_pk !== v.pk && intro.from_pk !== v.pk)) throw problem(404, 'introduction.unknown', 'No such introduction', id);
  if (intro.to_pk !== v.pk) throw problem(403, 'introduction.not_yours', 'Only the member asked can answer this request');
  if (intro.status !== 'pending')
    throw problem(409, 'introduction.answered', 'This request has already been answered', `It was ${intro.status}.`);
  const done = await ms.answerIntroduction(site.id, id, v.pk, accept ? { accept: true, share: accept.share } : { accept: false });
  if (!done) throw problem(409, 'introduction.answered', 'This request has already been answered');
  const out = await oneIntroduction(ms, site, readerOf(v)!, (await ms.introduction(site.id, id))!);
  await ctx.emit('introduction.answered', {
    site: site.id,
    introduction: { id: out.id },
    from: { id: out.from.id, name: out.from.name },
    to: { id: out.to.id, name: out.to.name },
    accepted: !!accept,
  });
  return { body: out };
}
