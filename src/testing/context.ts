import type {Context} from '../context.js'
import {createRunner, type Runner} from '../exec/runner.js'
import {ShellPool} from '../hosts/shell.js'
import {silentReporter} from '../output/reporter.js'

export interface TestContextOptions {
  /** Extra environment for every command (e.g. `PATH` with a fake `VBoxManage` first). */
  env?: Record<string, string | undefined>
}

/** A real Context (the runner ocvm uses, a shell pool, a silent reporter) for driver tests. */
export function createTestContext(options: TestContextOptions = {}): {ctx: Context; close(): Promise<void>} {
  const base = createRunner()
  const runner: Runner = options.env
    ? {redactor: base.redactor, run: (command, args, opts = {}) => base.run(command, args, {...opts, env: {...options.env, ...opts.env}})}
    : base
  const shells = new ShellPool({runner, ssh: {}})
  return {ctx: {runner, shells, reporter: silentReporter}, close: () => shells.closeAll()}
}
