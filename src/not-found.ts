import {type Hook, type Interfaces, toConfiguredId} from '@oclif/core'
import askDidYouMean from '@oclif/plugin-not-found'
import {distance} from 'fastest-levenshtein'

import {UsageError} from './errors.js'
import {markSeverity, styleFor} from './output/style.js'

/**
 * oclif's `command_not_found` event: `ocvm migrat` → did you mean `ocvm migrate`?
 *
 * On a terminal, @oclif/plugin-not-found asks (and runs the suggestion on yes; no answer in 10 s is
 * no). Everywhere else it would say only "not a command", because it puts the suggestion in its
 * prompt and asks nothing without a TTY: scripts, pipes and `--json` get the suggestion in the error
 * instead. Both ways end like every ocvm usage error: Error and Hint lines, exit 2.
 */
const notFound: Hook.CommandNotFound = async function (options) {
  const error = unknownCommandError(options.id, this.config)
  const json = options.argv?.includes('--json') ?? false
  // this.exit throws oclif's ExitError: the process ends with the code and prints nothing more.
  const fail = (): void => {
    if (json) this.log(JSON.stringify({status: 'failed', error: error.toJSON()}, null, 2))
    else process.stderr.write(markSeverity(`Error: ${error.message}\nHint: ${error.hint}\n`, styleFor(process.stderr)))
    this.exit(error.exitCode)
  }
  if (!json && process.stdin.isTTY && process.stderr.isTTY) return askDidYouMean.call({...this, error: fail}, options)
  return fail()
}

export default notFound

/** The usage error for a command that does not exist, with the closest one as the suggestion. */
export function unknownCommandError(id: string, config: Interfaces.Config): UsageError {
  const typed = toConfiguredId(id, config)
  const visible = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases])
  const suggestion = closestCommand(id, visible)
  const list = `\`${config.bin} help\` lists the commands.`
  return new UsageError(
    `"${typed}" is not an ${config.bin} command`,
    suggestion ? `Did you mean \`${config.bin} ${toConfiguredId(suggestion, config)}\`? ${list}` : list,
    {command: typed, ...(suggestion ? {suggestion: toConfiguredId(suggestion, config)} : {})},
  )
}

/** The nearest command id, when it is near enough to be what the user meant (a typo, not a guess). */
export function closestCommand(id: string, ids: readonly string[]): string | undefined {
  let best: {id: string; distance: number} | undefined
  for (const candidate of ids) {
    const d = distance(id, candidate)
    if (!best || d < best.distance) best = {id: candidate, distance: d}
  }
  return best && best.distance <= Math.max(2, Math.floor(id.length / 3)) ? best.id : undefined
}
