import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The built bundle the demo pages load; end-to-end tests need `npm run build` first. */
export const BUNDLE = fileURLToPath(new URL('../../dist/cercle.js', import.meta.url));

/**
 * Debian's Chromium (or `CHROME_PATH`), headless. As root it needs `--no-sandbox`; the background
 * services are off so that it makes no connection of its own.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run',
];

export const launchChromium = () =>
  chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
