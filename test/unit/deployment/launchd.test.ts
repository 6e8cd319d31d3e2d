import {describe, expect, it} from 'vitest'

import {parseLaunchctlPrint} from '../../../src/deployment/launchd.js'

// The shape of `launchctl print system/<label>` on macOS 14/15 (trimmed; nested blocks are indented twice).
const PRINT = `system/ai.openclaw.gateway = {
\tactive count = 0
\tpath = /Library/LaunchDaemons/ai.openclaw.gateway.plist
\ttype = LaunchDaemon
\tstate = spawn scheduled

\tprogram = /opt/homebrew/bin/openclaw
\targuments = {
\t\t/opt/homebrew/bin/openclaw
\t\tgateway
\t}

\tenvironment = {
\t\truns => 99
\t\tOPENCLAW_GATEWAY_TOKEN => 0123
\t}

\tdomain = system
\tusername = openclaw
\truns = 7
\tlast exit code = 78: EX_CONFIG
}
`

describe('parseLaunchctlPrint', () => {
  it("reads state, runs, pid and last exit code from the job's own lines (not its environment)", () => {
    expect(parseLaunchctlPrint(PRINT)).toEqual({state: 'spawn scheduled', runs: 7, pid: undefined, lastExit: 78})
  })

  it('a running job that never exited', () => {
    expect(parseLaunchctlPrint('system/x = {\n\tstate = running\n\truns = 1\n\tpid = 4242\n\tlast exit code = (never exited)\n}\n')).toEqual({state: 'running', runs: 1, pid: 4242, lastExit: undefined})
  })
})
