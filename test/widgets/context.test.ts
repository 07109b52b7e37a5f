/**
 * Cercle speaks the Web Components context protocol through `context/protocol.ts` (a few lines
 * instead of `@lit/context`'s controllers in every entry). These tests hold it to its promise: an
 * element written with `@lit/context` finds Cercle's provider, and a `@lit/context` provider can
 * serve a Cercle widget.
 */
import { ContextConsumer, ContextProvider } from '@lit/context';
import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { LitElement } from 'lit';
import { CercleClient } from '../../src/client/client.js';
import { LiveStream } from '../../src/client/live.js';
import { strict } from '../../src/client/strict.js';
import '../../src/context/define.js';
import { communityContext, type Community } from '../../src/context/context.js';
import '../../src/widgets/discussion/define.js';
import { FakeApi, startWorker } from './api.js';
import { API, comment, commentPage, SITE } from './fixtures.js';
import { $, text } from './kit/dom.js';

class LitReader extends LitElement {
  community = new ContextConsumer(this, { context: communityContext, subscribe: true });
}
customElements.define('lit-reader', LitReader);

/** A host page's own provider, written with `@lit/context`, handing down a client it made itself. */
class LitCommunity extends LitElement {
  provider = new ContextProvider(this, { context: communityContext });
  override createRenderRoot() {
    return this;
  }
}
customElements.define('lit-community', LitCommunity);

describe('context protocol', () => {
  before(startWorker);
  afterEach(fixtureCleanup);

  it('reaches an element written with @lit/context', async () => {
    new FakeApi();
    const root = await fixture(html`
      <cercle-community api=${API} site=${SITE} .parse=${strict}><div><lit-reader></lit-reader></div></cercle-community>
    `);
    const reader = root.querySelector<LitReader>('lit-reader')!;
    await waitUntil(() => reader.community.value, 'the context arrives');
    expect(reader.community.value!.client.siteId).to.equal(SITE);
    expect(reader.community.value!.session.status).to.equal('anonymous');
  });

  it('lets a @lit/context provider serve a Cercle widget', async () => {
    const api = new FakeApi();
    api.pages.set('', commentPage([comment({ body: 'Servi par Lit' })]));
    let stream: LiveStream | undefined;
    const value: Community = {
      client: new CercleClient({ api: API, site: SITE, parse: strict }),
      session: { status: 'anonymous' },
      live: { acquire: (make) => (stream ??= new make({ base: value.client.base })), release: () => stream?.dispose() },
    };
    const root = await fixture<LitCommunity>(html`<lit-community><cercle-discussion thread="t"></cercle-discussion></lit-community>`);
    root.provider.setValue(value);
    const widget = root.querySelector('cercle-discussion')!;
    await waitUntil(() => $(widget, '[part=body]'), 'comments shown');
    expect(text($(widget, '[part=body]'))).to.equal('Servi par Lit');
  });
});
