import {defineConfig} from 'vitest/config'

// Three projects: fast unit tests of pure code; the example driver plugin's own tests (it imports
// `ocvm` and `ocvm/testing` through examples/*/node_modules/ocvm, linked to this package by
// `npm run build`); and integration tests that talk to real sshd hosts in network namespaces and
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
