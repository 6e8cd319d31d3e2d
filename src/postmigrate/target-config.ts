import {getPath, isPlainObject, loadConfig, type LoadedConfig} from '../deployment/config-loader.js'
export {gatewayPort} from '../deployment/gateway-port.js'
import {readTextFile} from '../hosts/remote-fs.js'
import type {Shell} from '../hosts/shell.js'

/** The target's openclaw.json with its `$include`s resolved, read over the hook's shell. */
export function readTargetConfig(shell: Shell, configPath: string): Promise<LoadedConfig> {
  return loadConfig(configPath, (p) => readTextFile(shell, p))
}


/** Names of the channels configured (`channels.<name>` objects). */
export function configuredChannels(config: Record<string, unknown>): string[] {
  const channels = getPath(config, 'channels')
  return isPlainObject(channels) ? Object.keys(channels).filter((k) => isPlainObject(channels[k])) : []
}
