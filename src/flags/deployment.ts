import {Flags} from '@oclif/core'

/**
 * The flags that name an OpenClaw deployment and where it goes, shared by the commands that read
 * or move one: one spelling and one meaning everywhere. `where` is how the help names the host
 * ("on the source" for migrate and export, "there" for the commands that take --on).
 */
export function deploymentFlags(where: string) {
  return {
    user: Flags.string({description: `OS user that runs the gateway ${where} (default: the login user).`}),
    'state-dir': Flags.string({description: `State dir ${where} (default: found like \`ocvm inspect\` does).`}),
    profile: Flags.string({description: `OpenClaw profile ${where} (~/.openclaw-<name>: a second instance with its own unit, port and secrets file).`}),
  }
}

/** Whose the deployment becomes on the target (migrate, import). */
export const targetAccountFlags = {
  'target-user': Flags.string({description: 'OS user that will run the gateway on the target (default: the source user\'s name). Must exist.'}),
  'target-home': Flags.string({description: 'Home of the target user (default: from the target\'s user database).'}),
  'target-state-dir': Flags.string({description: 'State dir on the target (default: same place relative to the home).'}),
}

/** Session history: what moves (`scan` also quarantines poisoned sessions on the target). */
export function sessionsFlag(options: readonly ('include' | 'exclude' | 'scan')[]) {
  const scan = options.includes('scan')
  return {
    sessions: Flags.string({description: `Session history: include (default)${scan ? ', exclude, or scan for poisoned sessions' : ' or exclude'}.`, options: [...options], default: 'include'}),
  }
}

/** Changing a target: ask first unless --yes, and never over an existing deployment unless --force. */
export const changeFlags = {
  yes: Flags.boolean({char: 'y', description: 'Do not ask for confirmation.'}),
  force: Flags.boolean({description: 'If the target path exists, keep it aside (renamed *.ocvm-old-<run>) instead of refusing.'}),
}
