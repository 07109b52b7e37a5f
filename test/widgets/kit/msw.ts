/**
 * The one msw worker of a widget test page: every fake API (`api.ts`, `member-card.api.ts`, the event
 * and moderation fakes) adds its handlers to it.
 */
import { HttpResponse } from 'msw';
import { setupWorker } from 'msw/browser';

export const worker = setupWorker();
let started: Promise<unknown> | undefined;

/** Starts msw once for the test file. */
export const startWorker = () =>
  (started ??= worker.start({ quiet: true, onUnhandledRequest: 'bypass', serviceWorker: { url: '/mockServiceWorker.js' } }));

/** Adds handlers in front of the fake API's (e.g. the live stream); reset by the next fake. */
export const use = (...handlers: Parameters<typeof worker.use>) => worker.use(...handlers);

/** A JSON answer; an error status is sent as problem+json. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  HttpResponse.json(body as never, {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
