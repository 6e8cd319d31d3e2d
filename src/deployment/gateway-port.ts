import {getPath} from './config-loader.js'

/** The port a gateway listens on: its service's OPENCLAW_GATEWAY_PORT, else `gateway.port`, else OpenClaw's default. */
export function gatewayPort(config: Record<string, unknown>, serviceEnv: Record<string, string> = {}): number {
  const fromEnv = Number(serviceEnv.OPENCLAW_GATEWAY_PORT)
  if (Number.isInteger(fromEnv) && fromEnv > 0 && fromEnv < 65_536) return fromEnv
  const port = getPath(config, 'gateway.port')
  return typeof port === 'number' && Number.isInteger(port) ? port : 18_789
}
