import {mkdtemp, readdir, rm, symlink} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {LOCAL} from '../../../src/hosts/host-spec.js'
import {createTestContext} from '../../../src/testing/context.js'
import type {DriverContractSetup, DriverContractWorld} from '../../../src/testing/driver-contract.js'

// One contract setup per built-in driver. builtin-contract.test.ts fails for a built-in without an
// entry here, so a new driver cannot skip the contract: add its world (fake CLI on PATH, or the real tool).

async function localWorld(env?: Record<string, string>): Promise<DriverContractWorld> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ocvm-contract-'))
  const {ctx, close} = createTestContext(env ? {env: {...env}} : {})
  return {
    host: LOCAL,
    ctx,
    // The file driver's probe may only look: the scratch dir it could write to stays empty.
    observe: async () => (await readdir(dir)).sort(),
    cleanup: async () => {
      await close()
      await rm(dir, {recursive: true, force: true})
    },
  }
}

/** PATH with only the given tools (symlinks to the real ones): "tar is not installed". */
async function pathWith(tools: string[]): Promise<{dir: string; env: Record<string, string>}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ocvm-path-'))
  for (const tool of tools) {
    const real = ['/usr/bin', '/bin'].map((d) => path.join(d, tool))
    for (const candidate of real) {
      try {
        await symlink(candidate, path.join(dir, tool))
        break
      } catch {}
    }
  }
  return {dir, env: {PATH: dir}}
}

export const CONTRACT_SETUPS: Record<string, DriverContractSetup> = {
  file: {
    world: () => localWorld(),
    async worldWithoutTool() {
      const {dir, env} = await pathWith(['sh', 'find', 'awk', 'head'])
      const world = await localWorld(env)
      return {...world, cleanup: async () => {
        await world.cleanup?.()
        await rm(dir, {recursive: true, force: true})
      }}
    },
  },
}
