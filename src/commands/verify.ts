import {Flags} from '@oclif/core'

import {parseHostSpec} from '../hosts/host-spec.js'
import {deploymentFlags} from '../flags/deployment.js'
import {BaseCommand} from '../base-command.js'
import {renderVerify} from '../views/hooks-view.js'
import {verifyTarget, type VerifyResult} from '../verify/verify.js'

export default class Verify extends BaseCommand {
  static summary = 'Prove a migrated deployment works: the guide\'s Step 8 checklist, machine-checked.'

  static description = 'Runs the real openclaw on the host as the service user (config validate, doctor --lint, security audit, memory status), asks the gateway\'s /health for {"ok":true}, and checks the service, loopback-only listening, permissions, secrets (names only), log rotation and cron, and WhatsApp\'s log line. Each check passes, fails with its fix, or does not apply. The first finds the openclaw CLI as the service user: without it, it fails once with how to install it and the checks that run the CLI are skipped. Changes nothing. Exit 1 when a check fails.'

  static examples = [
    '<%= config.bin %> <%= command.id %> --on root@new --user openclaw',
    '<%= config.bin %> <%= command.id %> --on root@new --user openclaw --json',
  ]

  static flags = {
    on: Flags.string({description: 'Host to check: local, ssh://[user@]host[:port] or [user@]host.', required: true}),
    ...deploymentFlags('there'),
    wait: Flags.integer({description: 'Seconds to wait for a starting gateway to answer /health.', default: 60, min: 0}),
  }

  async run(): Promise<VerifyResult> {
    const {flags} = await this.parse(Verify)
    const ctx = this.createContext(flags)
    const result = await verifyTarget({
      on: parseHostSpec(flags.on),
      waitMs: flags.wait * 1000,
      ...(flags.user ? {user: flags.user} : {}),
      ...(flags['state-dir'] ? {stateDir: flags['state-dir']} : {}),
      ...(flags.profile ? {profile: flags.profile} : {}),
    }, ctx)
    if (!this.jsonEnabled()) this.log(renderVerify(result))
    return this.finish(result)
  }
}
