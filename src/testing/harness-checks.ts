import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ImageDriver} from '../drivers/api.js'
import {expectOcvmError} from './expect-error.js'
import {describeMoveChecks} from './harness-move.js'
import {describeProvisionChecks} from './harness-provision.js'
import {RULES, title} from './rules.js'
import type {DriverContractHarness} from './setup.js'

/** The harness the checks of one `describeHarnessChecks` share, and the VM names they use. */
export interface HarnessRun {
  harness(): DriverContractHarness
  /** Created stopped on the source before the checks. */
  vm: string
  /** What the VM is called on the target. */
  moved: string
}

/**
 * The image verbs on a VM's life, on the harness's two hosts: start, stop, the guest shell, then the
 * move onto the target (export → stage → import, or `provisionLike` for drivers without export).
 * The checks run in order and share one VM.
 */
export function describeHarnessChecks(driver: ImageDriver, makeHarness: () => Promise<DriverContractHarness>): void {
  describe('on two hosts (harness)', {timeout: 120_000}, () => {
    let h: DriverContractHarness | undefined
    const run: HarnessRun = {
      harness() {
        if (!h) throw new Error('the harness was not built (see the error of beforeAll)')
        return h
      },
      vm: 'contract-vm',
      moved: 'contract-moved',
    }
    const {vm: VM} = run

    beforeAll(async () => {
      h = await makeHarness()
      await h.createVm(VM)
    }, 300_000)
    afterAll(async () => {
      await h?.cleanup()
    }, 300_000)

    it(title(RULES.probeVersion, 'on the source, which has the tool: available, with its version'), async () => {
      const {source, ctx} = run.harness()
      const probe = await driver.probe(source, ctx)
      expect(probe).toMatchObject({available: true})
      expect(probe.version).toMatch(/\d+\.\d+/)
    })

    it(title(RULES.listInspectChangeNothing, 'they describe the stopped VM'), async () => {
      const {source, ctx} = run.harness()
      const list = await driver.list(source, ctx)
      expect(list).toContainEqual(expect.objectContaining({name: VM, state: 'stopped'}))
      const info = await driver.inspect(source, VM, ctx)
      expect(info).toMatchObject({name: VM, state: 'stopped'})
      // Some tools (Multipass) report sizes only for running instances.
      if (info.cpus !== undefined) expect(info.cpus).toBeGreaterThan(0)
      if (info.memoryMiB !== undefined) expect(info.memoryMiB).toBeGreaterThan(0)
      expect(await driver.list(source, ctx)).toEqual(list)
    })

    it(title(RULES.errors, 'inspect of an unknown VM is vm-not-found'), async () => {
      const {source, ctx} = run.harness()
      await expectOcvmError(driver.inspect(source, 'no-such-vm', ctx), 'vm-not-found')
    })

    it(title([RULES.guestShell, RULES.guestShellStreams, RULES.exportRefusesRunning], 'start and stop (graceful) change the state and are idempotent'), async () => {
      const {source, ctx, guestProbe} = run.harness()
      await driver.start(source, VM, ctx)
      expect((await driver.inspect(source, VM, ctx)).state).toBe('running')
      await driver.start(source, VM, ctx)

      const guest = await driver.guestShell(source, VM, ctx)
      expect((await guest.exec(guestProbe.argv)).stdout).toMatch(guestProbe.source)
      // Streaming stdin/stdout (the state transfer pipes tar through the guest shell).
      expect((await guest.exec(['cat'], {input: 'through the guest\n'})).stdout).toBe('through the guest\n')
      expect((await guest.exec(['sh', '-c', 'exit 7'], {allowFailure: true})).exitCode).toBe(7)

      if (driver.capabilities.export) await expectOcvmError(driver.exportVm(source, VM, ctx), 'vm-state')
      await driver.stop(source, VM, ctx, {timeoutMs: 30_000, force: false})
      expect((await driver.inspect(source, VM, ctx)).state).toBe('stopped')
      await driver.stop(source, VM, ctx, {timeoutMs: 30_000, force: false})
    })

    if (driver.capabilities.export) {
      it(title(RULES.errors, 'guestShell of a stopped VM is a clear error (vm-state), not a hang'), async () => {
        const {source, ctx} = run.harness()
        await expectOcvmError(driver.guestShell(source, VM, ctx), 'vm-state')
      })
    } else {
      it(title(RULES.capabilities, 'a driver without export runs commands in the guest natively (guestExec)'), () => {
        expect(driver.capabilities.guestExec).toBe(true)
      })
    }

    describeMoveChecks(driver, run)
    describeProvisionChecks(driver, run)
  })
}
