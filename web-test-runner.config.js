// Browser tests of the widgets: Chromium, TypeScript through esbuild, the API mocked by msw.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';

/**
 * `emulate-colours`: the colour scheme and forced colours (Windows High Contrast) through the DevTools
 * protocol. web-test-runner's own `emulateMedia` passes only the colour scheme and reduced motion to
 * Chromium under puppeteer, and drops `forcedColors`.
 */
const emulateColours = {
  name: 'emulate-colours',
  async executeCommand({ command, payload, session }) {
    if (command !== 'emulate-colours') return undefined;
    const page = session.browser.getPage(session.id);
    const cdp = (page.__cercleCdp ??= await page.createCDPSession());
    await cdp.send('Emulation.setEmulatedMedia', {
      features: [
        { name: 'prefers-color-scheme', value: payload.colorScheme ?? '' },
        { name: 'forced-colors', value: payload.forcedColors ?? '' },
      ],
    });
    return true;
  },
};

export default {
  files: 'test/widgets/**/*.test.ts',
  nodeResolve: true,
  testFramework: { config: { timeout: 10000 } },
  plugins: [esbuildPlugin({ ts: true, target: 'auto', tsconfig: 'tsconfig.json' }), emulateColours],
  // msw's worker must be served from the root to control the test pages.
  middleware: [(ctx, next) => ((ctx.url = ctx.url.replace(/^\/mockServiceWorker\.js/, '/test/msw/mockServiceWorker.js')), next())],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: [
          '--no-sandbox',
          '--headless=new',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--disable-quic',
          '--no-first-run',
        ],
      },
    }),
  ],
};
