import {fileURLToPath} from 'node:url'
import {defineConfig} from 'vitest/config'

const dist = (file: string) => fileURLToPath(new URL(`./dist/${file}`, import.meta.url))

// Three projects: fast unit tests of pure code; the example driver plugin's own tests (`ocvm` and
// `ocvm/testing` point at this build, whatever examples/*/node_modules holds, so there is one vitest);
// and integration tests that talk to real sshd hosts in network namespaces and
// the real `openclaw` CLI (provisioned by test/infra/provision.sh, which `npm test` runs first).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'examples',
          include: ['examples/*/test/**/*.test.ts'],
        },
        resolve: {
          alias: [
            {find: /^ocvm$/, replacement: dist('index.js')},
            {find: /^ocvm\/testing$/, replacement: dist('testing/index.js')},
          ],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/infra/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
