import { expect } from '@open-wc/testing';
import type { ReactiveController } from 'lit';
import type { LiveStream } from '../../src/client/live.js';
import type { Community, LiveHub } from '../../src/context/context.js';
import { LiveController } from '../../src/internal/live-controller.js';

/** A hub that counts the streams handed out and given back, with a stream that only records subscriptions. */
function fakeHub() {
  const hub = {
    acquired: 0,
    released: 0,
    subscribed: [] as string[],
    acquire() {
      hub.acquired++;
      return {
        lastEventId: null,
        subscribe: (topic: string) => {
          hub.subscribed.push(topic);
          return () => {};
        },
        onReload: () => () => {},
      } as unknown as LiveStream;
    },
    release() {
      hub.released++;
    },
  };
  return hub;
}

function host() {
  const controllers: ReactiveController[] = [];
  return {
    controllers,
    addController: (c: ReactiveController) => controllers.push(c),
    removeController() {},
    requestUpdate() {},
    updateComplete: Promise.resolve(true),
  };
}

describe('LiveController', () => {
  it('follows its topics while connected and lets go when disconnected', () => {
    const hub = fakeHub();
    const live = new LiveController(host(), {
      community: () => ({ live: hub as unknown as LiveHub }) as Community,
      topics: () => ['thread:a'],
      onChange: () => {},
    });
    live.hostConnected();
    expect(hub.acquired).to.equal(1);
    expect(hub.subscribed).to.deep.equal(['thread:a']);
    live.hostDisconnected();
    expect(hub.released).to.equal(1);
  });

  it('opens no stream for a widget whose data arrives after it left the page', () => {
    const hub = fakeHub();
    const live = new LiveController(host(), {
      community: () => ({ live: hub as unknown as LiveHub }) as Community,
      topics: () => ['thread:a'],
      onChange: () => {},
    });
    live.hostConnected();
    live.hostDisconnected();
    // The widget re-renders with late data while out of the page.
    live.hostUpdated();
    expect(hub.acquired).to.equal(1);
    expect(hub.released).to.equal(1);
    // Back in the page, it follows again.
    live.hostConnected();
    expect(hub.acquired).to.equal(2);
  });
});
