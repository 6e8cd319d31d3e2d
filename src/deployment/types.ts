import type {ScheduledTask} from './schedules.js'
import type {ServiceFile} from './services.js'

/** How a component gets to the target (the guide's migration table, made explicit). */
export type Treatment = 'transfer' | 'optional' | 're-pair' | 'rebuild' | 'recreate' | 'manual'

export type ComponentKind =
  | 'config' | 'workspace' | 'whatsapp' | 'signal' | 'googlechat' | 'channel-credentials' | 'auth-profiles'
  | 'agent-state' | 'identity' | 'sessions' | 'state-db' | 'memory-index' | 'extensions' | 'extension-deps'
  | 'cron-store' | 'logs' | 'dotenv' | 'secrets' | 'services' | 'schedules' | 'runtime-cache' | 'other-state'

export interface Component {
  /** Unique within an inventory: `workspace:main`, `whatsapp:default`, `config`. */
  id: string
  kind: ComponentKind
  title: string
  treatment: Treatment
  present: boolean
  /** Top-level paths that make up the component (files or dirs). */
  paths: string[]
  sizeBytes: number
  fileCount: number
  /** True when some of it lives outside the state dir. */
  outsideStateDir: boolean
  agent?: string
  account?: string
  /** What happens to it, in a sentence. */
  note: string
}

export type Severity = 'error' | 'warning' | 'info'

export interface Finding {
  severity: Severity
  code: string
  message: string
  hint: string
  path?: string
}

export interface SecretKey {
  name: string
  /** Where the name was seen: a file path, `plist:<path>`, `unit:<path>`, `config` (a ${VAR} reference). */
  sources: string[]
  /** `referenced` = used in the config but defined in none of the sources ocvm can see. */
  state: 'set' | 'empty' | 'placeholder' | 'referenced'
}

export type LayoutGeneration = 'jsonl' | 'sqlite' | 'unknown'

export interface Inventory {
  host: string
  os: {kernel: string; arch: string}
  user: string
  home: string
  stateDir: string
  stateDirSource: string
  configPath: string
  profile: string | undefined
  version: {config: string | undefined; cli: string | undefined; cliPath: string | undefined}
  layout: {generation: LayoutGeneration; evidence: string}
  /** `port`: where the gateway listens (its service's OPENCLAW_GATEWAY_PORT, else `gateway.port`, else 18789). */
  gateway: {running: boolean; processes: Array<{pid: number; user: string}>; port: number}
  agents: Array<{id: string; isDefault: boolean; workspace: string; workspaceExists: boolean; agentDir: string}>
  configFiles: Array<{path: string; includedFrom?: string; hasComments: boolean}>
  components: Component[]
  secrets: SecretKey[]
  services: ServiceFile[]
  schedules: ScheduledTask[]
  findings: Finding[]
  totals: {sizeBytes: number; fileCount: number; transferBytes: number}
}
