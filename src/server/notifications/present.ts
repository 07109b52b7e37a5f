import type { EventChange, Notification, NotificationKind } from '../../contract/notifications.js';
import { canSee } from '../domain/audience.js';
import { memberSummary } from '../domain/mapping.js';
import type { Viewer } from '../http/viewer.js';
import { COMMENT_KINDS, type NotificationView } from './store.js';

/** Who reads a notification: the fields the audience rules look at. */
export type Reader = Pick<Viewer, 'roles' | 'chapters'> & Partial<Viewer>;

const EXCERPT = 140;

/** A comment's text as one plain line: mentions as `@Name`, spaces collapsed, cut at a word. */
export function excerpt(body: string): string {
  const plain = body
    .replace(/@\[([^\]]*)\]\([^)]*\)/g, '@$1')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain.length <= EXCERPT) return plain;
  const cut = plain.slice(0, EXCERPT);
  const space = cut.lastIndexOf(' ');
  return `${(space > EXCERPT / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/**
 * A notification as its member may read it now, or `null` when it would show what they may not read
 * (a comment no longer readable, a thread or an event whose audience left them out).
 */
export function notificationOut(v: NotificationView, reader: Reader, publicRead: boolean): Notification | null {
  const kind = v.kind as NotificationKind;
  const who = reader as Viewer;
  if (v.thread_pk) {
    if (v.thread_key === null || !canSee(v.thread_audience ?? 'public', who, publicRead)) return null;
  }
  if (COMMENT_KINDS.includes(kind) && v.comment_status !== 'published') return null;
  if (v.event_id) {
    if (v.event_title === null || !canSee(v.event_audience ?? 'public', who, publicRead)) return null;
  }
  const data = v.data ? (JSON.parse(v.data) as { badge?: { id: string; name: string }; changes?: EventChange[]; reason?: string }) : {};
  const readable = v.comment_id && v.comment_status === 'published';
  const commentUrl = v.thread_key && isUrl(v.thread_key) ? `${v.thread_key}${v.comment_id ? `#comment-${v.comment_id}` : ''}` : null;
  return {
    id: v.id,
    kind,
    createdAt: v.created_at,
    readAt: v.read_at,
    actor: v.actor_host_id
      ? memberSummary({ host_id: v.actor_host_id, name: v.actor_name ?? '', picture: v.actor_picture, chapters: v.actor_chapters ?? '[]' })
      : null,
    thread: v.thread_key !== null ? { key: v.thread_key, title: v.thread_title, url: isUrl(v.thread_key) ? v.thread_key : null } : null,
    comment: v.comment_id ? { id: v.comment_id, excerpt: readable ? excerpt(v.comment_body ?? '') : '' } : null,
    event:
      v.event_id && v.event_title !== null
        ? {
            id: v.event_id,
            title: v.event_title,
            startsAt: v.event_starts_at ?? '',
            timeZone: v.event_time_zone ?? 'UTC',
            url: v.event_url,
            changes: data.changes ?? [],
          }
        : null,
    introduction: v.introduction_id ? { id: v.introduction_id } : null,
    badge: data.badge ?? null,
    url: v.event_id ? v.event_url : commentUrl,
  };
}
