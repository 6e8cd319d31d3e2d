import {defineConfig} from 'vitest/config'

// Two projects: fast unit tests of pure code, and integration tests that talk to real
// sshd hosts in network namespaces and the real `openclaw` CLI (provisioned by
// test/infra/provision.sh, which `npm test` runs first).
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
