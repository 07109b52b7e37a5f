import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { HttpResponse } from 'msw';
import { strict } from '../../src/client/strict.js';
import '../../src/widgets/member-card/define.js';
import type { CercleMemberCard } from '../../src/widgets/member-card/member-card.js';
import { API, LOGIN_URL, problem, SITE, TOKEN_URL } from './fixtures.js';
import { FakeCards, memberCard, startWorker } from './member-card.api.js';
import { $, text } from './kit/dom.js';
import { accessibleInEveryMode } from './kit/media.js';

async function mount(cards: ReturnType<typeof html>, lang = 'en') {
  return fixture(html`
    <cercle-community api=${API} site=${SITE} token-url=${TOKEN_URL} login-url=${LOGIN_URL} lang=${lang} .parse=${strict}>${cards}</cercle-community>
  `);
}
const loaded = (el: CercleMemberCard) => waitUntil(() => $(el, '[part=name]') && !$(el, '.ph'), 'card shown');

describe('<cercle-member-card>', () => {
  let api: FakeCards;
  before(startWorker);
  beforeEach(() => (api = new FakeCards()));
  afterEach(fixtureCleanup);

  it('full: shows what the server sent, marks details shared through an introduction, and passes axe', async () => {
    api.cards.set(
      'm-grace',
      memberCard({
        profile: { headline: 'Rear admiral', phone: '+1 202 555 0100', website: 'https://grace.example.org' },
        sharedWithYou: ['phone'],
        introduction: { id: 'i-1', status: 'accepted', direction: 'sent' },
      }),
    );
    const root = await mount(html`<cercle-member-card member="m-grace"></cercle-member-card>`);
    const el = root.querySelector('cercle-member-card')!;
    await loaded(el);
    expect(text($(el, '[part=name]'))).to.equal('Grace Hopper');
    expect(text($(el, '[part=contact]')))
      .to.contain('+1 202 555 0100')
      .and.contain('shared with you');
    const link = $<HTMLAnchorElement>(el, '[part=contact] a[target=_blank]')!;
    expect(link.rel).to.contain('noopener');
    expect(text($(el, '[part=base]'))).to.contain('You were introduced.');
    await accessibleInEveryMode(el);
  });

  it('says "member since" only with the date the host site gave, else "on Cercle since"', async () => {
    api.cards.set('m-grace', memberCard({ since: '2023-05-02T09:00:00.000Z', memberSince: '2011-09-01' }));
    api.cards.set('m-new', memberCard({ id: 'm-new', name: 'New Member', since: '2023-05-02T09:00:00.000Z', memberSince: null }));
    const root = await mount(
      html`<cercle-member-card member="m-grace"></cercle-member-card><cercle-member-card member="m-new"></cercle-member-card>`,
    );
    const [grace, fresh] = [...root.querySelectorAll('cercle-member-card')];
    await loaded(grace);
    await loaded(fresh);
    expect(text($(grace, '[part=base]')))
      .to.contain('Member since September 2011')
      .and.not.contain('2023');
    expect(text($(fresh, '[part=base]')))
      .to.contain('On Cercle since May 2023')
      .and.not.contain('Member since');
  });

  it('renders user text as text, never as markup', async () => {
    api.cards.set('m-grace', memberCard({ name: '<img src=x onerror=alert(1)>', profile: { bio: '<script>alert(1)</script>' } }));
    const root = await mount(html`<cercle-member-card member="m-grace"></cercle-member-card>`);
    const el = root.querySelector('cercle-member-card')!;
    await loaded(el);
    expect(el.shadowRoot!.querySelector('script, img[src=x]')).to.equal(null);
    expect(text($(el, '[part=bio]'))).to.equal('<script>alert(1)</script>');
  });

  it('loading and error states keep their space, say so and pass axe', async () => {
    const root = await mount(html`<cercle-member-card member="nobody"></cercle-member-card>`);
    const el = root.querySelector('cercle-member-card')!;
    expect($(el, '.ph')).to.exist;
    await accessibleInEveryMode(el);
    await waitUntil(() => text($(el, '[part=base]')).includes('not, or no longer'), 'unknown member');
    await accessibleInEveryMode(el);
  });

  it('fifty hovercards and my own card make one request', async () => {
    for (let i = 0; i < 50; i++) api.cards.set(`m-${i}`, memberCard({ id: `m-${i}`, name: `Member ${i}` }));
    const root = await mount(html`
      <cercle-member-card member="me"></cercle-member-card>
      ${Array.from({ length: 50 }, (_, i) => html`<cercle-member-card member=${`m-${i}`} variant="hovercard">Member ${i}</cercle-member-card>`)}
    `);
    const all = [...root.querySelectorAll('cercle-member-card')];
    await waitUntil(() => all.every((el) => $(el, '[part=name]') && text($(el, '[part=name]')) && !$(el, '.ph')), 'all cards shown');
    expect(api.calls.length, JSON.stringify(api.calls.map((c) => c.path))).to.equal(1);
    const reads = (api.calls[0].body as { reads: string[] }).reads;
    expect(reads.filter((r) => r.startsWith('/members?ids=')).length).to.equal(1);
    expect(reads).to.include('/members/me');
    expect(reads).to.include('/introductions?limit=50');
  });

  it('hovercard: opens on keyboard focus and on click, closes with Escape, stays in the viewport, passes axe', async () => {
    const root = await mount(html`<p style="margin-inline-start: 95vw">
      <button id="before">Before</button> <cercle-member-card member="m-grace" variant="hovercard">Grace Hopper</cercle-member-card>
    </p>`);
    const el = root.querySelector('cercle-member-card')!;
    await loaded(el);
    const trigger = $<HTMLButtonElement>(el, '[part=trigger]')!;
    expect(trigger.getAttribute('aria-expanded')).to.equal('false');
    // At the viewport's edge (to test placement), where axe finds no background behind the chip:
    // the colour modes are checked in the next test, with the chip in the flow.
    await expect(el).to.be.accessible();
    root.querySelector<HTMLButtonElement>('#before')!.focus();
    await sendKeys({ press: 'Tab' }); // a keyboard focus (focus-visible) on the chip
    await waitUntil(() => trigger.getAttribute('aria-expanded') === 'true', 'opened by keyboard focus');
    const pop = $(el, '[popover]')!;
    await waitUntil(() => pop.matches(':popover-open') && text(pop).includes('Rear admiral'), 'card shown');
    await Promise.all(pop.getAnimations().map((a) => a.finished)); // the fade-in, before measuring contrast
    const r = pop.getBoundingClientRect();
    expect(r.right).to.be.at.most(innerWidth);
    expect(r.left).to.be.at.least(0);
    await expect(el).to.be.accessible();
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => trigger.getAttribute('aria-expanded') === 'false', 'closed by Escape');
    expect(pop.matches(':popover-open')).to.equal(false);
    trigger.click();
    await waitUntil(() => trigger.getAttribute('aria-expanded') === 'true', 'opened by a click or tap');
  });

  it('hovercard: Escape from inside the card closes it for good, focus back on the chip', async () => {
    const root = await mount(html`<p><button id="before">Before</button>
      <cercle-member-card member="m-grace" variant="hovercard">Grace Hopper</cercle-member-card></p>`);
    const el = root.querySelector('cercle-member-card')!;
    await loaded(el);
    const trigger = $<HTMLButtonElement>(el, '[part=trigger]')!;
    root.querySelector<HTMLButtonElement>('#before')!.focus();
    await sendKeys({ press: 'Tab' });
    const pop = $(el, '[popover]')!;
    await waitUntil(() => pop.matches(':popover-open') && pop.querySelector('a, button'), 'card open, with something to focus');
    await Promise.all(pop.getAnimations().map((a) => a.finished));
    await accessibleInEveryMode(el);
    pop.querySelector<HTMLElement>('a, button')!.focus();
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => trigger.getAttribute('aria-expanded') === 'false', 'closed by Escape');
    expect(el.shadowRoot!.activeElement).to.equal(trigger);
    // Given back focus is no reader's focus: the card stays closed.
    await new Promise((r) => setTimeout(r, 100));
    await el.updateComplete;
    expect(trigger.getAttribute('aria-expanded')).to.equal('false');
    expect(pop.matches(':popover-open')).to.equal(false);
  });

  it("my card: saves at once, and rolls back with the server's message when the save fails", async () => {
    api.onPatch = () =>
      HttpResponse.json(
        problem(400, 'request.invalid', {
          errors: [{ path: 'body.website', message: 'Invalid URL' }],
        }) as never,
        { status: 400, headers: { 'content-type': 'application/problem+json' } },
      );
    const root = await mount(html`<cercle-member-card member="me"></cercle-member-card>`);
    const el = root.querySelector('cercle-member-card')!;
    await loaded(el);
    $<HTMLButtonElement>(el, '#edit')!.click();
    await waitUntil(() => $(el, 'form'), 'form shown');
    await accessibleInEveryMode(el);
    const headline = $<HTMLInputElement>(el, '[name=headline]')!;
    headline.value = 'Poet of science';
    $<HTMLInputElement>(el, '[name=website]')!.value = 'ftp://nope';
    $<HTMLButtonElement>(el, 'button[type=submit]')!.click();
    // The form's own check: nothing is sent.
    await waitUntil(() => $(el, '#e-website'), 'field error');
    expect(api.calls.filter((c) => c.method === 'PATCH')).to.have.length(0);
    expect($(el, '[name=website]')!.getAttribute('aria-invalid')).to.equal('true');
    await accessibleInEveryMode(el);
    $<HTMLInputElement>(el, '[name=website]')!.value = 'https://ada.example.org';
    $<HTMLButtonElement>(el, 'button[type=submit]')!.click();
    await waitUntil(() => api.calls.some((c) => c.method === 'PATCH'), 'sent');
    // Refused by the server: the card is as before, the form back with what was typed.
    await waitUntil(() => $(el, 'form') && $(el, '#e-website'), 'rolled back');
    expect($<HTMLInputElement>(el, '[name=headline]')!.value).to.equal('Poet of science');
    expect(text($(el, '#e-website'))).to.equal('Invalid URL');
    api.onPatch = undefined;
    $<HTMLButtonElement>(el, 'button[type=submit]')!.click();
    await waitUntil(() => text($(el, '[part=headline]')) === 'Poet of science' && !$(el, 'form'), 'saved');
  });

  it("asks for an introduction with a message; a signed-out reader is offered the site's sign-in", async () => {
    const root = await mount(html`<cercle-member-card member="m-grace"></cercle-member-card>`);
    const el = root.querySelector('cercle-member-card')!;
    await loaded(el);
    await waitUntil(() => $(el, '#ask'), 'ask button');
    $<HTMLButtonElement>(el, '#ask')!.click();
    await waitUntil(() => $(el, '#ask-msg'), 'message box');
    await accessibleInEveryMode(el);
    $<HTMLTextAreaElement>(el, '#ask-msg')!.value = 'Would you tell me about compilers?';
    $<HTMLButtonElement>(el, 'form button[type=submit]')!.click();
    await waitUntil(() => text($(el, '[part=base]')).includes('waiting for an answer'), 'pending');
    const post = api.calls.find((c) => c.method === 'POST' && c.path === '/introductions')!;
    expect(post.body).to.deep.include({ to: 'm-grace', message: 'Would you tell me about compilers?' });

    fixtureCleanup();
    api = new FakeCards();
    api.signedIn = false;
    const out = (await mount(html`<cercle-member-card member="m-grace"></cercle-member-card>`, 'fr')).querySelector('cercle-member-card')!;
    await waitUntil(() => $(out, `a[href="${LOGIN_URL}"]`), 'sign-in link');
    expect(text($(out, `a[href="${LOGIN_URL}"]`))).to.equal('Connectez-vous sur ce site pour demander une mise en relation');
    await accessibleInEveryMode(out);
  });
});
