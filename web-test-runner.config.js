// Browser tests of the widgets: Chromium, TypeScript through esbuild, the API mocked by msw.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';

export default {
  files: 'test/widgets/**/*.test.ts',
  nodeResolve: true,
  testFramework: { config: { timeout: 10000 } },
  plugins: [esbuildPlugin({ ts: true, target: 'auto', tsconfig: 'tsconfig.json' })],
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
