import {copyFile, mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import type {ExportSet} from 'ocvm'
import {createTestContext, type DriverContractWorld} from 'ocvm/testing'

const FAKES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fakes')

/** Two VMs, as `VBoxManage list vms` would show on a typical OpenClaw host. */
const INITIAL = {
  vms: [
    {name: 'gateway-vm', uuid: '1b9e6a52-2f0e-4c55-9d0c-6f5f3c2a9e01', ostype: 'Ubuntu (64-bit)', memory: 4096, cpus: 2, state: 'running', ip: '127.0.0.1',
      disks: [{port: 'SATA-0-0', uuid: '7a0c2c1e-7f7e-4a55-8a4e-2b1d9c0e3f11', path: '/vbox/gateway-vm/gateway-vm.vdi', capacityMB: 20480, sizeOnDiskMB: 5210}]},
    {name: 'old-gateway', uuid: '3c4d5e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f', ostype: 'Ubuntu (ARM 64-bit)', memory: 2048, cpus: 1, state: 'poweroff',
      disks: [{port: 'SATA-0-0', uuid: '9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', path: '/vbox/old-gateway/old-gateway.vdi', capacityMB: 10240, sizeOnDiskMB: 3100}]},
  ],
}

/** A contract world that always has `stage` and `cleanup`, plus the fake's home and its call log. */
export type FakeVirtualBoxWorld = DriverContractWorld & Required<Pick<DriverContractWorld, 'stage' | 'cleanup'>> & {home: string; calls(): Promise<string[][]>}

/** A fresh fake VirtualBox host (local) per test; `withTool: false` leaves VBoxManage off PATH. */
export async function fakeVirtualBoxWorld(options: {withTool?: boolean} = {}): Promise<FakeVirtualBoxWorld> {
  const home = await mkdtemp(path.join(tmpdir(), 'fake-vbox-'))
  await mkdir(path.join(home, 'tmp'))
  await writeFile(path.join(home, 'state.json'), JSON.stringify(INITIAL))
  await writeFile(path.join(home, 'calls.log'), '')
  const PATH = options.withTool === false ? '/usr/bin:/bin' : `${FAKES}:${process.env.PATH ?? '/usr/bin:/bin'}`
  const {ctx, close} = createTestContext({env: {PATH, FAKE_VBOX_HOME: home, TMPDIR: path.join(home, 'tmp')}})
  return {
    home,
    host: {kind: 'local'},
    ctx,
    vms: {running: 'gateway-vm', stopped: 'old-gateway'},
    // What VirtualBox knows: its VMs, their states and disks (not the export temp files).
    observe: async () => JSON.parse(await readFile(path.join(home, 'state.json'), 'utf8')) as unknown,
    async stage(set: ExportSet) {
      const dir = path.join(home, 'staging')
      await mkdir(dir, {recursive: true})
      for (const file of set.files) await copyFile(file.source, path.join(dir, file.relPath))
      return dir
    },
    calls: async () => (await readFile(path.join(home, 'calls.log'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]),
    async cleanup() {
      await close()
      await rm(home, {recursive: true, force: true})
    },
  }
}

/** Runs `fn` in a fresh fake world and cleans it up afterwards, even when `fn` throws. */
export async function inFakeVirtualBox(fn: (w: FakeVirtualBoxWorld) => Promise<void>): Promise<void> {
  const w = await fakeVirtualBoxWorld()
  try {
    await fn(w)
  } finally {
    await w.cleanup()
  }
}
