import { DEFAULT_VISIBILITY, type Visibility, type VisibilitySettings } from '../../contract/members.js';
import type { Viewer } from '../http/viewer.js';

/** The reader as visibility rules see them: who they are, and the chapters their token names. */
export interface Reader {
  pk: string;
  chapters: readonly string[];
}

export const readerOf = (v: Viewer | null): Reader | null => (v ? { pk: v.pk, chapters: v.chapters } : null);

/**
 * Whether `reader` may see a field with visibility `vis` on the card of the member `ownerPk`
 * (whose token named `ownerChapters`). Only the member sees `private`; admins get no exception:
 * "only me" means only me. Signed-out readers see `public` fields, and only where the site
 * lets them read at all (checked before).
 */
export function mayRead(vis: Visibility, reader: Reader | null, ownerPk: string, ownerChapters: readonly string[]): boolean {
  if (reader && reader.pk === ownerPk) return true;
  switch (vis) {
    case 'public':
      return true;
    case 'members':
      return reader !== null;
    case 'chapter':
      return reader !== null && reader.chapters.some((c) => ownerChapters.includes(c));
    default:
      return false;
  }
}

/**
 * Whether `viewer` may see the member at all (their card, their engagement, a mention of them): the member
 * themself, the site's admins and moderators (moderation needs them), and whoever the member's `listed`
 * visibility admits. Everyone else meets an unlisted member only as the author of content they can read.
 * Whether a signed-out reader sees member cards at all is the site's `publicProfiles` (checked before).
 */
export function listedTo(
  member: { pk: string; chapters: string; profile?: { visibility: string } | null },
  viewer: Viewer | null,
): boolean {
  if (viewer && (viewer.pk === member.pk || viewer.roles.includes('admin') || viewer.roles.includes('moderator'))) return true;
  return mayRead(visibilitySettings(member.profile?.visibility).listed, readerOf(viewer), member.pk, JSON.parse(member.chapters));
}

const LEVELS = new Set<string>(['public', 'members', 'chapter', 'private']);

/** The stored visibility map over the defaults; an unknown stored value falls back to `private`. */
export function visibilitySettings(json: string | null | undefined): VisibilitySettings {
  let stored: Record<string, unknown> = {};
  try {
    const v = json ? JSON.parse(json) : {};
    if (v && typeof v === 'object') stored = v;
  } catch {
    /* defaults */
  }
  const out = { ...DEFAULT_VISIBILITY };
  for (const k of Object.keys(out) as (keyof VisibilitySettings)[]) {
    if (k in stored) out[k] = (LEVELS.has(String(stored[k])) ? stored[k] : 'private') as Visibility;
  }
  return out;
}

/** Lower case without accents, for matching "Énergie" with "energie". */
export const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
