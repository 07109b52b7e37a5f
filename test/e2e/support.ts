import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { startDemo, type RunningDemo } from '../../demo/start.js';

/** The built bundle the demo pages load; end-to-end tests need `npm run build` first. */
export const BUNDLE = fileURLToPath(new URL('../../dist/cercle.js', import.meta.url));

/**
 * Debian's Chromium (or `CHROME_PATH`), headless. As root it needs `--no-sandbox`; the background
 * services are off so that it makes no connection of its own.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export const launchChromium = () =>
  chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });

export interface E2EDemo {
  demo: RunningDemo;
  browser: Browser;
  /** The temporary folder holding the demo's database. */
  dir: string;
  close(): Promise<void>;
}

/**
 * The demo site and the real Cercle server on free ports over a fresh SQLite file, and a browser:
 * what each end-to-end file starts before its tests.
 */
export async function openDemo(name: string): Promise<E2EDemo> {
  assert.ok(existsSync(BUNDLE), 'dist/cercle.js is missing: run `npm run build` first');
  const dir = await mkdtemp(join(tmpdir(), `cercle-e2e-${name}-`));
  const demo = await startDemo({ port: 0, cerclePort: 0, database: join(dir, 'cercle.db') });
  const browser = await launchChromium();
  return {
    demo,
    browser,
    dir,
    async close() {
      await browser.close();
      await demo.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
