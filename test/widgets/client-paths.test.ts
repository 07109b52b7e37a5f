import { expect } from '@open-wc/testing';
import type { CercleClient } from '../../src/client/client.js';
import * as discussion from '../../src/client/discussion.js';
import * as engagement from '../../src/client/engagement.js';
import * as events from '../../src/client/events.js';
import * as members from '../../src/client/members.js';
import * as moderation from '../../src/client/moderation.js';
import * as search from '../../src/client/search.js';
import * as notifications from '../../src/client/notifications.js';
import { routes } from '../../src/contract/routes.js';

/**
 * Each feature module spells its paths by hand (the route table carries the zod schemas, too heavy for
 * a widget's bundle): here every remote call is made on a recording client and its method and path must
 * be one of the contract's routes, so that a route renamed in the contract fails here first.
 */
type Call = { method: string; path: string };

const recorder = () => {
  const calls: Call[] = [];
  const c = {
    base: 'https://cercle.test/v1/sites/amicale',
    read: (path: string) => (calls.push({ method: 'GET', path }), Promise.resolve({})),
    write: (method: string, path: string) => (calls.push({ method, path }), Promise.resolve({})),
    download: (path: string) => (calls.push({ method: 'GET', path }), Promise.resolve(new Blob())),
  };
  return { calls, client: c as unknown as CercleClient };
};

const table = Object.values(routes)
  .filter((r) => r.path.startsWith('/v1/sites/{site}'))
  .map((r) => ({
    method: r.method.toUpperCase(),
    pattern: new RegExp(
      '^' +
        r.path
          .slice('/v1/sites/{site}'.length)
          .replace(/\{[^}]+\}/g, '[^/?]+')
          .replace(/\./g, '\\.') +
        '(\\?.*)?$',
    ),
  }));

const known = ({ method, path }: Call) => table.some((r) => r.method === method && r.pattern.test(path === '' ? '/' : path));

describe('client modules', () => {
  it('call only routes of the contract', async () => {
    const { calls, client: c } = recorder();
    await Promise.all([
      discussion.listComments(c, { thread: 'https://amicale.test/a', sort: 'newest', cursor: 'x' }),
      discussion.postComment(c, { thread: 't', body: 'b' }, 'key-12345'),
      discussion.editComment(c, 'c1', 'b'),
      discussion.deleteComment(c, 'c1'),
      discussion.react(c, 'c1', 'thanks'),
      discussion.react(c, 'c1', 'thanks', true),
      discussion.reactors(c, 'c1'),
      discussion.flagComment(c, 'c1', 'spam', 'note'),
      discussion.moderateComment(c, 'c1', 'hide'),
      discussion.lockThread(c, 't', true),
      discussion.markRead(c, 't', '2026-01-01T00:00:00.000Z'),
      discussion.mentions(c, 't', 'Ma'),
      discussion.commentCounts(c, ['https://amicale.test/a', 'b']),
      members.searchMembers(c, { q: 'Léa', chapter: 'lyon', expertise: 'bois', cursor: 'x' }),
      members.membersById(c, ['m1', 'm2']),
      members.getMember(c, 'me'),
      search.searchDiscussions(c, 'transmission', 'x'),
      members.updateMyCard(c, {}),
      members.listIntroductions(c),
      members.requestIntroduction(c, { to: 'm1', message: 'Bonjour' }),
      members.answerIntroduction(c, 'i1', ['email']),
      members.answerIntroduction(c, 'i1', null),
      members.exportMyData(c),
      members.eraseMe(c, 'anonymize'),
      engagement.myEngagement(c),
      engagement.memberEngagement(c, 'm1', 'full'),
      engagement.setEngagementHidden(c, true),
      engagement.badgeCredential(c, 'b1', { name: 'none' }),
      moderation.moderationQueue(c, { filter: 'flagged', chapter: 'lyon' }),
      moderation.moderateMany(c, 'hide', ['c1']),
      moderation.sanction(c, { member: 'm1', kind: 'mute', reason: 'r', days: 3 }),
      moderation.adminSettings(c),
      moderation.updateSettings(c, {}),
      moderation.auditLog(c, 'x'),
      moderation.auditCsv(c),
      events.listEvents(c, { chapter: 'lyon', past: true }),
      events.getEvent(c, 'e1'),
      events.rsvp(c, 'e1', { answer: 'going' } as never),
      events.acknowledgeRsvp(c, 'e1'),
      events.attendees(c, 'e1'),
      events.markAttendance(c, 'e1', []),
      events.createEvent(c, {} as never),
      events.updateEvent(c, 'e1', {}),
      events.cancelEvent(c, 'e1', 'pluie'),
      events.eventCalendar(c, 'e1'),
      events.calendarFeed(c),
      events.resetCalendarFeed(c),
      events.revokeCalendarFeed(c),
      notifications.listNotifications(c, 'x'),
      notifications.markNotificationsRead(c, { ids: ['n1'] }),
      notifications.notificationPreferences(c),
      notifications.updateNotificationPreferences(c, { frequency: 'daily' }),
      notifications.notificationFeed(c),
      notifications.resetNotificationFeed(c),
      notifications.revokeNotificationFeed(c),
    ]);
    expect(calls.length).to.equal(55);
    expect(calls.filter((call) => !known(call))).to.deep.equal([]);
  });

  it('leave out the parameters that are not set', async () => {
    const { calls, client: c } = recorder();
    await moderation.moderationQueue(c, { filter: 'all' });
    await members.searchMembers(c, { q: '', chapter: undefined });
    await discussion.mentions(c, 'https://amicale.test/a b', 'Ma');
    expect(calls.map((x) => x.path)).to.deep.equal([
      '/moderation/queue',
      '/members',
      '/mentions?thread=https%3A%2F%2Famicale.test%2Fa+b&q=Ma',
    ]);
  });
});
