// Which environment variables of a service are configuration (safe to show and reuse) and which are
// treated as secrets (only the name is ever kept). Unknown names are secrets: the safe default.
const PLAIN_ENV = new Set([
  'HOME', 'PATH', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'USER', 'SHELL', 'NODE_ENV', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS',
  'OPENCLAW_HOME', 'OPENCLAW_STATE_DIR', 'OPENCLAW_CONFIG_PATH', 'OPENCLAW_PROFILE', 'OPENCLAW_OAUTH_DIR',
  'OPENCLAW_GATEWAY_PORT', 'OPENCLAW_LAUNCHD_LABEL', 'OPENCLAW_SYSTEMD_UNIT', 'OPENCLAW_SERVICE_MARKER',
  'OPENCLAW_SERVICE_KIND', 'OPENCLAW_SERVICE_VERSION', 'OPENCLAW_INCLUDE_ROOTS', 'OPENCLAW_NIX_MODE',
  'CLAWDBOT_STATE_DIR', 'CLAWDBOT_CONFIG_PATH', 'DOCKER_HOST', 'JAVA_HOME', 'GOOGLE_CHAT_SERVICE_ACCOUNT_FILE',
])

export function isPlainEnv(name: string): boolean {
  return PLAIN_ENV.has(name)
}

/**
 * Masks credentials written inline in a command line we are about to show (crontab lines, ExecStart):
 * `--token X`, `--password=X`, `Authorization: Bearer X`, `FOO_TOKEN=X`, `https://user:pass@`.
 */
export function maskInlineSecrets(line: string): string {
  return line
    .replace(/(--(token|password|api-key|apikey|secret|auth)(?:=|\s+))(\S+)/gi, (m, flag: string, name: string, value: string) =>
      isAuthMode(name, value) ? m : `${flag}***`)
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1***')
    // `PAT` only as a whole word (GITHUB_PAT=), not inside PATH=, OPENCLAW_CONFIG_PATH=.
    .replace(/\b([A-Z0-9_]*(?:TOKEN|KEY|SECRET|PASSWORD|PASS|PAT(?![A-Z]))[A-Z0-9_]*=)("[^"]*"|'[^']*'|\S+)/g, '$1***')
    .replace(/(\/\/[^/\s:@]+:)[^@\s/]+@/g, '$1***@')
}

// `openclaw gateway --auth token|password` names a mode, not a credential: keep it.
function isAuthMode(flag: string, value: string): boolean {
  return flag.toLowerCase() === 'auth' && /^(?:token|password|none|trusted-proxy)$/.test(value)
}

/** maskInlineSecrets for an argv: also masks the value that follows a bare `--token` argument. */
export function maskArgv(argv: readonly string[]): string[] {
  return argv.map((arg, i) => {
    const flag = /^--(token|password|api-key|apikey|secret|auth)$/i.exec(argv[i - 1] ?? '')?.[1]
    return i > 0 && flag !== undefined && !isAuthMode(flag, arg) ? '***' : maskInlineSecrets(arg)
  })
}

// A JSON/JSON5 member whose key names a credential: `token: "…"`, `"apiKey": '…'`, `password: x`.
// Object and array values (`auth: {`) are left alone: their members are masked on their own lines.
const SECRET_MEMBER_RE = /((?:^|[\s{,])["']?[\w$-]*(?:token|key|secret|passw|private|credential|cookie|bearer)[\w$-]*["']?\s*:\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^,\s{}[\]]+)/gi

/**
 * Masks the values of credential-looking members in config text shown to the user (the unified
 * diff of a path rewrite shows the lines around each change, and a token often sits next to a path).
 */
export function maskConfigSecrets(text: string): string {
  return text.replace(SECRET_MEMBER_RE, (_m, head: string) => `${head}"***"`)
}
