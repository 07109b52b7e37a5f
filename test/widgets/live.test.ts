import { expect } from '@open-wc/testing';
import { LiveEvent, LiveReady, LiveClose, LiveReload } from '../../src/contract/live.js';
import { LiveStream } from '../../src/client/live.js';

/** A fake Cercle server for the stream: records requests, lets the test push frames. */
class FakeServer {
  opens: { topics: string[]; lastEventId: string | null; auth: string | null }[] = [];
  controls: { stream: string; body: any; auth: string | null }[] = [];
  private ctrl: ReadableStreamDefaultController<Uint8Array> | null = null;
  private seq = 0;
  private waiters: (() => void)[] = [];

  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    const body = JSON.parse(String(init?.body ?? '{}'));
    if (url.endsWith('/live')) {
      this.opens.push({ topics: body.topics, lastEventId: headers.get('last-event-id'), auth: headers.get('authorization') });
      const n = ++this.seq;
      const stream = new ReadableStream<Uint8Array>({
        start: (c) => {
          this.ctrl = c;
        },
      });
      init?.signal?.addEventListener('abort', () => {
        try {
          this.ctrl?.error(new DOMException('aborted', 'AbortError'));
        } catch {
          /* closed */
        }
      });
      queueMicrotask(() =>
        this.send(
          'ready',
          LiveReady.parse({
            stream: `stream-${n}-abcdefgh`,
            key: 'k'.repeat(32),
            heartbeatMs: 25000,
            retentionSeconds: 86400,
            tokenExpiresAt: null,
            lastEventId: '10',
          }),
        ),
      );
      this.wake();
      return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    }
    this.controls.push({ stream: url.split('/').pop()!, body, auth: headers.get('authorization') });
    this.wake();
    return new Response(JSON.stringify({ accepted: true }), { status: 202 });
  };

  send(event: string, data: unknown, id?: string) {
    this.ctrl!.enqueue(new TextEncoder().encode(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
  }

  change(id: number, topic: string, ref: string) {
    const ev = LiveEvent.parse({ id: String(id), topic, kind: 'comment.created', ref, at: new Date().toISOString() });
    this.send('change', ev, ev.id);
  }

  end() {
    this.ctrl!.close();
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  async until(cond: () => boolean) {
    while (!cond())
      await new Promise<void>((ok) => {
        this.waiters.push(ok);
        setTimeout(ok, 20);
      });
  }
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((ok) => setTimeout(ok, 10));
};

describe("LiveStream (the page's one stream)", () => {
  it("multiplexes every widget's topics over one stream and changes them without reconnecting", async () => {
    const server = new FakeServer();
    const live = new LiveStream({ base: 'https://api.test/v1/sites/asso', fetch: server.fetch, shareTabs: false });
    const a: LiveEvent[] = [];
    const b: LiveEvent[] = [];
    const offA = live.subscribe('thread:a', (e) => a.push(e));
    live.subscribe('event:b', (e) => b.push(e));
    await server.until(() => server.opens.length === 1);
    expect(server.opens[0].topics).to.have.members(['thread:a', 'event:b']);
    await until(() => live.lastEventId === '10');
    server.change(11, 'thread:a', 'c1');
    server.change(12, 'event:b', 'e1');
    await until(() => a.length === 1 && b.length === 1);
    expect(a[0].ref).to.equal('c1');
    // A third widget appears, the first leaves: one control request, no new stream.
    live.subscribe('thread:c', () => {}, '12');
    offA();
    await server.until(() => server.controls.length === 1);
    expect(server.controls[0].body.add).to.deep.equal(['thread:c']);
    expect(server.controls[0].body.remove).to.deep.equal(['thread:a']);
    expect(server.controls[0].body.after).to.equal('12');
    expect(server.controls[0].body.key).to.equal('k'.repeat(32));
    expect(server.opens.length).to.equal(1);
    live.dispose();
  });

  it('reconnects after a drop with Last-Event-ID and the current topics', async () => {
    const server = new FakeServer();
    const live = new LiveStream({ base: 'https://api.test/v1/sites/asso', fetch: server.fetch, shareTabs: false });
    const seen: string[] = [];
    live.subscribe('thread:a', (e) => seen.push(e.ref));
    await server.until(() => server.opens.length === 1);
    await until(() => live.lastEventId === '10');
    server.change(15, 'thread:a', 'c15');
    await until(() => seen.length === 1);
    server.send('close', LiveClose.parse({ reason: 'server.shutdown', retryMs: 0 }));
    server.end();
    await server.until(() => server.opens.length === 2);
    expect(server.opens[1].lastEventId).to.equal('15');
    expect(server.opens[1].topics).to.deep.equal(['thread:a']);
    live.dispose();
  });

  it('tells widgets to reload when the server says the page is too far behind', async () => {
    const server = new FakeServer();
    const live = new LiveStream({ base: 'https://api.test/v1/sites/asso', fetch: server.fetch, shareTabs: false });
    let reloads = 0;
    live.onReload(() => reloads++);
    live.subscribe('thread:a', () => {});
    await server.until(() => server.opens.length === 1);
    await until(() => live.lastEventId === '10');
    server.send('reload', LiveReload.parse({ reason: 'log.expired', lastEventId: '99' }));
    await until(() => reloads === 1);
    expect(live.lastEventId).to.equal('99');
    live.dispose();
  });

  it('shares one stream between tabs: the leader holds it and relays changes', async () => {
    const server = new FakeServer();
    const base = `https://api.test/v1/sites/tabs-${Math.random()}`;
    const tab1 = new LiveStream({ base, fetch: server.fetch });
    const tab2 = new LiveStream({ base, fetch: server.fetch });
    const got1: string[] = [];
    const got2: string[] = [];
    tab1.subscribe('thread:one', (e) => got1.push(e.ref));
    await server.until(() => server.opens.length === 1);
    await until(() => tab1.isLeader && tab1.lastEventId === '10');
    tab2.subscribe('thread:two', (e) => got2.push(e.ref));
    // The follower's topic reaches the leader's stream as a control request, not a second stream.
    await server.until(() => server.controls.some((c) => c.body.add?.includes('thread:two')));
    expect(server.opens.length).to.equal(1);
    expect(tab2.isLeader).to.equal(false);
    server.change(11, 'thread:two', 'for-tab-2');
    server.change(12, 'thread:one', 'for-tab-1');
    await until(() => got2.length === 1 && got1.length === 1);
    expect(got2).to.deep.equal(['for-tab-2']);
    expect(got1).to.deep.equal(['for-tab-1']);
    // The leader tab closes: the other takes the stream over.
    tab1.dispose();
    await server.until(() => server.opens.length === 2);
    await until(() => tab2.isLeader);
    expect(server.opens[1].topics).to.include('thread:two');
    tab2.dispose();
  });
});
