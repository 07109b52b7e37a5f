import type { MemberRow } from '../store/schema.js';

/** The signed-in member a request acts for, from a verified token. */
export interface Viewer {
  site: string;
  pk: string;
  hostId: string;
  name: string;
  roles: string[];
  chapters: string[];
  /** Chapters this member moderates (the token's `moderates` claim), besides a site-wide `moderator` role. */
  moderates?: string[];
  /** The token's `email` claim, when the host passes one (kept only if the member opts in to mail). */
  email?: string;
  /** The token's `locale` claim. */
  locale?: string;
  row: MemberRow;
}

export const toViewer = (row: MemberRow): Viewer => ({
  site: row.site_id,
  pk: row.pk,
  hostId: row.host_id,
  name: row.name,
  roles: JSON.parse(row.roles),
  chapters: JSON.parse(row.chapters),
  row,
});
