import type { Insights } from '../../../contract/admin.js';
import { adminRoutes as a } from '../../../contract/admin.js';
import { chapterName } from '../../domain/mapping.js';
import { problem } from '../../http/problem.js';
import type { HandlerContext } from '../../http/types.js';
import type { Viewer } from '../../http/viewer.js';
import { siteChapters } from '../../store/chapters.js';
import { eventFill, introductionWeeks, openedThreads, participationWeeks, type Period } from '../../store/insights.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const MAX_WEEKS = 53;
/** Threads listed to nudge; the count covers them all. */
const MAX_UNANSWERED = 50;

/** The community team: admins, moderators of the whole site, and holders of the `community` role. */
export function requireTeam(v: Viewer | null) {
  if (!v || !['admin', 'moderator', 'community'].some((r) => v.roles.includes(r)))
    throw problem(
      403,
      'insights.forbidden',
      'Insights are for the community team',
      'The token carries none of the roles admin, moderator or community.',
    );
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
/** Midnight UTC of the Monday of the week holding `t`. */
const monday = (t: number) => {
  const d = new Date(Math.floor(t / DAY) * DAY);
  return d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY;
};

/** The period asked for: whole weeks from a Monday, at most 53 of them. */
export function periodOf(query: { from?: string; to?: string }, now: number) {
  const last = query.to ? Date.parse(`${query.to}T00:00:00Z`) : Math.floor(now / DAY) * DAY;
  const first = monday(query.from ? Date.parse(`${query.from}T00:00:00Z`) : monday(last) - 11 * WEEK);
  if (last < first) {
    throw problem(400, 'insights.bad_period', 'The period ends before it starts', `${day(first)} → ${day(last)}`, [
      { path: 'query.to', message: 'On or after "from".' },
    ]);
  }
  const weeks: string[] = [];
  for (let w = first; w <= last; w += WEEK) weeks.push(day(w));
  if (weeks.length > MAX_WEEKS) {
    throw problem(400, 'insights.period_too_long', `At most ${MAX_WEEKS} weeks at once`, `${weeks.length} weeks asked for.`, [
      { path: 'query.from', message: `At most ${MAX_WEEKS} weeks before "to".` },
    ]);
  }
  return { first, until: last + DAY, weeks };
}

const pageUrl = (key: string) => (/^https?:\/\//i.test(key) ? key : null);

/** Participation, newcomers, unanswered threads, events and introductions by week (community team). */
export async function insights({ store, site, viewer, query, now }: HandlerContext<typeof a.insights>) {
  requireTeam(viewer);
  const at = now();
  const { first, until, weeks } = periodOf(query, at);
  const p: Period = { from: new Date(first).toISOString(), until: new Date(until).toISOString(), chapter: query.chapter ?? null };
  // A thread is "unanswered" only once its week has gone by.
  const settled = new Date(Math.min(until, at - WEEK)).toISOString();
  const [participationOut, intros, events, threads, chapters] = await Promise.all([
    participationWeeks(store, site.id, p.chapter, weeks),
    introductionWeeks(store, site.id, p),
    eventFill(store, site.id, p),
    settled > p.from ? openedThreads(store, site.id, p, settled) : Promise.resolve([]),
    siteChapters(store, site.id),
  ]);
  const named = chapters.find((c) => c.id === query.chapter);

  const unanswered = threads.filter(
    (t) => Date.parse(t.opened_at) <= at - WEEK && (t.answered_at === null || Date.parse(t.answered_at) - Date.parse(t.opened_at) > WEEK),
  );
  const body: Insights = {
    from: day(first),
    to: day(until - DAY),
    chapter: query.chapter ? { id: query.chapter, name: chapterName(query.chapter, named?.name) } : null,
    chapters: chapters.map((c) => ({ id: c.id, name: chapterName(c.id, c.name) })),
    weeks,
    participation: participationOut,
    unanswered: {
      count: unanswered.length,
      items: unanswered.slice(0, MAX_UNANSWERED).map((t) => ({
        key: t.key,
        title: t.title,
        url: pageUrl(t.key),
        openedAt: t.opened_at,
        answeredAt: t.answered_at,
      })),
    },
    events: events.map((e) => ({
      id: e.id,
      title: e.title,
      startsAt: e.starts_at,
      capacity: e.capacity,
      taken: e.taken,
      going: e.going,
      attended: e.marked > 0 ? e.attended : null,
    })),
    introductions: weeks.map((week, i) => {
      const r = intros.find((x) => x.wk === i);
      return { week, requested: r?.requested ?? 0, accepted: r?.accepted ?? 0 };
    }),
  };
  return { body };
}
