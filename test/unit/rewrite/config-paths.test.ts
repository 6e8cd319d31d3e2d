import JSON5 from 'json5'
import {describe, expect, it} from 'vitest'

import {configPathRewriter, mapBind} from '../../../src/rewrite/config-paths.js'
import {rewriteJson5Strings} from '../../../src/rewrite/json5-rewrite.js'
import {PathMap} from '../../../src/rewrite/path-map.js'

// The guide's dedicated `openclaw` user on macOS, moving to a Linux host (openclaw.md §7).
const map = new PathMap([
  {from: '/Users/openclaw/.openclaw', to: '/home/openclaw/.openclaw'},
  {from: '/Users/openclaw', to: '/home/openclaw'},
])
const rewrite = configPathRewriter(map)

describe('configPathRewriter', () => {
  it.each([
    ['agents.list[0].workspace', '/Users/openclaw/.openclaw/workspaces/main', '/home/openclaw/.openclaw/workspaces/main'],
    ['agents.list[0].agentDir', '/Users/openclaw/.openclaw/agents/main/agent', '/home/openclaw/.openclaw/agents/main/agent'],
    ['agents.defaults.workspace', '/Users/openclaw/src', '/home/openclaw/src'],
    ['agents.defaults.memorySearch.extraPaths[0]', '/Users/openclaw/notes', '/home/openclaw/notes'],
    ['channels.googlechat.serviceAccountFile', '/Users/openclaw/.openclaw/credentials/googlechat/sa.json', '/home/openclaw/.openclaw/credentials/googlechat/sa.json'],
    ['channels.whatsapp.accounts.work.authDir', '/Users/openclaw/wa', '/home/openclaw/wa'],
    ['plugins.load.paths[0]', '/Users/openclaw/plugins/x', '/home/openclaw/plugins/x'],
    ['agents.$include', '/Users/openclaw/.openclaw/agents.json5', '/home/openclaw/.openclaw/agents.json5'],
    ['canvasHost.root', 'file:///Users/openclaw/canvas', 'file:///home/openclaw/canvas'],
    ['agents.defaults.sandbox.docker.binds[0]', '/Users/openclaw/src:/src:rw', '/home/openclaw/src:/src:rw'],
    ['agents.list[1].sandbox.docker.binds[2]', '/Users/openclaw/data:/data', '/home/openclaw/data:/data'],
    ['agents.defaults.sandbox.docker.binds[1]', '/Users/openclaw/ws:/Users/openclaw/ws:ro', '/home/openclaw/ws:/home/openclaw/ws:ro'],
    ['agents.defaults.sandbox.docker.binds[3]', '/Users/openclaw/x', '/home/openclaw/x'],
    ['cliBackends.claude.command', '/Users/openclaw/.local/bin/claude', '/home/openclaw/.local/bin/claude'],
    ['cliBackends.codex.command', 'node /Users/openclaw/tools/codex.js --home=/Users/openclaw/.codex', 'node /home/openclaw/tools/codex.js --home=/home/openclaw/.codex'],
    ['cliBackends.codex.args[1]', '--config=/Users/openclaw/.codex/config.toml', '--config=/home/openclaw/.codex/config.toml'],
    ['memory.qmd.command', '/Users/openclaw/bin/qmd', '/home/openclaw/bin/qmd'],
    ['env.PATH', '/Users/openclaw/bin:/opt/homebrew/bin:/usr/bin', '/home/openclaw/bin:/opt/homebrew/bin:/usr/bin'],
    ['cliBackends.claude.env.CLAUDE_CONFIG_DIR', '/Users/openclaw/.claude', '/home/openclaw/.claude'],
  ])('%s: %s', (key, value, expected) => {
    expect(rewrite(value, key)).toBe(expected)
  })

  it.each([
    ['cliBackends.claude.command', '/opt/homebrew/bin/claude'],
    ['channels.signal.cliPath', '/opt/homebrew/bin/signal-cli'],
    ['agents.list[0].workspace', '~/.openclaw/workspace'],
    ['session.store', '~/.openclaw/agents/{agentId}/sessions/sessions.json'],
    ['agents.$include', './agents.json5'],
    ['agents.$include[0]', 'agents/main.json5'],
    ['channels.googlechat.serviceAccountFile', '${GOOGLE_CHAT_SERVICE_ACCOUNT_FILE}'],
    ['agents.defaults.workspace', '${HOME}/workspace'],
    ['channels.googlechat.audience', 'https://node.tailnet.ts.net/googlechat'],
    ['models.providers.local.baseUrl', 'http://127.0.0.1:8080/Users/openclaw'],
    ['gateway.remote.url', 'ws://host:18789/Users/openclaw'],
    ['cliBackends.x.command', 'https://example.com/Users/openclaw/x'],
    ['agents.list[0].workspace', '/Users/openclaw2/ws'],
    ['agents.list[0].workspace', '/Users/openclawbackup'],
    ['agents.list[0].model', 'anthropic/claude-sonnet-4-5'],
    ['agents.defaults.compaction.memoryFlush.prompt', 'Write notes to /Users/openclaw/notes; reply NO_REPLY'],
    ['agents.defaults.sandbox.docker.binds[0]', 'named-volume:/data'],
    ['agents.defaults.sandbox.docker.binds[0]', '/srv/shared:/Users/openclaw/shared:ro'],
    ['gateway.auth.token', '${OPENCLAW_GATEWAY_TOKEN}'],
    ['channels.whatsapp.allowFrom[0]', '+46700000000'],
  ])('%s: leaves %j alone', (key, value) => {
    expect(rewrite(value, key)).toBeUndefined()
  })
})

describe('mapBind', () => {
  it('maps the host side; the container side only when it mirrored the host path', () => {
    expect(mapBind(map, '/Users/openclaw/a:/Users/openclaw/b:rw')).toBe('/home/openclaw/a:/Users/openclaw/b:rw')
    expect(mapBind(map, '/Users/openclaw/a:/Users/openclaw/a')).toBe('/home/openclaw/a:/home/openclaw/a')
    expect(mapBind(map, '/Users/openclaw/.openclaw/sandboxes:/sb:rw,z')).toBe('/home/openclaw/.openclaw/sandboxes:/sb:rw,z')
    expect(mapBind(map, '/Users/openclaw2:/x')).toBeUndefined()
  })
})

// Shaped like the guide's examples/openclaw.json (comments, ${VAR} refs, absolute paths under the
// dedicated user's home) plus the other path forms OpenClaw accepts.
const GUIDE_CONFIG = `{
  // ============================================================
  // OpenClaw Configuration — Recommended Multi-Agent Setup
  // ============================================================
  // Environment variables (set in LaunchAgent plist or systemd EnvironmentFile):
  //   OPENCLAW_GATEWAY_TOKEN, ANTHROPIC_API_KEY, BRAVE_API_KEY

  "tools": {
    "deny": ["canvas", "gateway", "nodes"],
    "web": {
      "search": {
        "enabled": true,
        "provider": "brave",
        "apiKey": "\${BRAVE_API_KEY}"
        // "baseUrl": "https://openrouter.ai/api/v1",
      }
    }
  },

  // --- Agents ---
  "agents": {
    "defaults": {
      "compaction": {
        "memoryFlush": {
          "prompt": "Write any lasting notes to memory/YYYY-MM-DD.md; reply with NO_REPLY if nothing to store."
        }
      },
      "memorySearch": { "enabled": true, "provider": "local", "extraPaths": ["/Users/openclaw/notes", "~/shared-notes"] },
      "sandbox": {
        "workspaceRoot": "~/.openclaw/sandboxes",
        "docker": {
          "network": "openclaw-egress",
          "binds": [
            "/Users/openclaw/source:/source:rw",
            "/Users/openclaw/.openclaw/workspaces/main:/Users/openclaw/.openclaw/workspaces/main:ro",
          ],
        },
      },
    },
    "list": [
      {
        // MAIN AGENT — channel-facing
        "id": "main",
        "default": true,
        "workspace": "/Users/openclaw/.openclaw/workspaces/main",
        "agentDir": "/Users/openclaw/.openclaw/agents/main/agent",
        "groupChat": { "mentionPatterns": ["@openclaw", "hey openclaw"] },
      },
      {
        "id": "search",
        "workspace": "/Users/openclaw/.openclaw/workspaces/search",
        "agentDir": "/Users/openclaw/.openclaw/agents/search/agent",
        "model": "anthropic/claude-sonnet-4-5",
      }
      // ,{
      //   "id": "whatsapp",
      //   "workspace": "/Users/openclaw/.openclaw/workspaces/whatsapp",
      // }
    ]
  },

  cliBackends: {
    claude: { command: "/opt/homebrew/bin/claude", args: ['--settings', '/Users/openclaw/.claude/settings.json'] },
  },

  "channels": {
    "whatsapp": { "dmPolicy": "pairing", "allowFrom": ["+46XXXXXXXXX"] },
    "googlechat": {
      "serviceAccountFile": "\${GOOGLE_CHAT_SERVICE_ACCOUNT_FILE}",
      "audience": "https://<node-name>.<tailnet>.ts.net/googlechat",
    },
  },

  "gateway": { "port": 18789, "mode": "local", "bind": "loopback", "auth": { "mode": "token", "token": "\${OPENCLAW_GATEWAY_TOKEN}" } },

  "plugins": {
    // Without this, any plugin dropped into ~/.openclaw/extensions/ loads automatically.
    "allow": ["whatsapp", "channel-guard"],
    "load": { "paths": ['/Users/openclaw/.openclaw/extensions/channel-guard'] },
  },
  "logging": { "file": "/tmp/openclaw/openclaw.log" },
}
`

describe('a guide-style config', () => {
  const result = rewriteJson5Strings(GUIDE_CONFIG, rewrite)

  it('maps exactly the absolute home and state paths', () => {
    expect(result.changes).toEqual([
      {key: 'agents.defaults.memorySearch.extraPaths[0]', from: '/Users/openclaw/notes', to: '/home/openclaw/notes'},
      {key: 'agents.defaults.sandbox.docker.binds[0]', from: '/Users/openclaw/source:/source:rw', to: '/home/openclaw/source:/source:rw'},
      {
        key: 'agents.defaults.sandbox.docker.binds[1]',
        from: '/Users/openclaw/.openclaw/workspaces/main:/Users/openclaw/.openclaw/workspaces/main:ro',
        to: '/home/openclaw/.openclaw/workspaces/main:/home/openclaw/.openclaw/workspaces/main:ro',
      },
      {key: 'agents.list[0].workspace', from: '/Users/openclaw/.openclaw/workspaces/main', to: '/home/openclaw/.openclaw/workspaces/main'},
      {key: 'agents.list[0].agentDir', from: '/Users/openclaw/.openclaw/agents/main/agent', to: '/home/openclaw/.openclaw/agents/main/agent'},
      {key: 'agents.list[1].workspace', from: '/Users/openclaw/.openclaw/workspaces/search', to: '/home/openclaw/.openclaw/workspaces/search'},
      {key: 'agents.list[1].agentDir', from: '/Users/openclaw/.openclaw/agents/search/agent', to: '/home/openclaw/.openclaw/agents/search/agent'},
      {key: 'cliBackends.claude.args[1]', from: '/Users/openclaw/.claude/settings.json', to: '/home/openclaw/.claude/settings.json'},
      {
        key: 'plugins.load.paths[0]',
        from: '/Users/openclaw/.openclaw/extensions/channel-guard',
        to: '/home/openclaw/.openclaw/extensions/channel-guard',
      },
    ])
  })

  it('keeps comments, quote styles, trailing commas and everything else', () => {
    // Every line that changed contained a mapped path; comments (even ones with old paths) did not.
    const before = GUIDE_CONFIG.split('\n')
    const after = result.text.split('\n')
    expect(after.length).toBe(before.length)
    for (const [i, line] of before.entries()) {
      const changed = result.changes.some((c) => line.includes(JSON.stringify(c.from)) || line.includes(`'${c.from}'`))
      expect(after[i]).toBe(changed ? map.mapEmbedded(line) : line)
    }
    expect(result.text).toContain('//   "workspace": "/Users/openclaw/.openclaw/workspaces/whatsapp",')
    expect(result.text).toContain(`args: ['--settings', '/home/openclaw/.claude/settings.json']`)
    expect(result.text).toContain('command: "/opt/homebrew/bin/claude"')
  })

  it('parses to the same config with only the paths changed', () => {
    const before = JSON5.parse(GUIDE_CONFIG)
    const after = JSON5.parse(result.text)
    expect(after.agents.list[0].workspace).toBe('/home/openclaw/.openclaw/workspaces/main')
    expect(after.cliBackends.claude.command).toBe('/opt/homebrew/bin/claude')
    expect(after.gateway).toEqual(before.gateway)
    expect(after.agents.defaults.sandbox.workspaceRoot).toBe('~/.openclaw/sandboxes')
    expect(after.logging.file).toBe('/tmp/openclaw/openclaw.log')
    expect(JSON.stringify(after)).not.toContain('/Users/openclaw')
  })

  it('is idempotent', () => {
    expect(rewriteJson5Strings(result.text, rewrite)).toEqual({text: result.text, changes: []})
  })

  it('does what sed gets wrong', () => {
    // sed 's|/Users/openclaw|/home/openclaw|g' would also hit /Users/openclaw2 and URL paths.
    const text = `{a: "/Users/openclaw2/x", b: "http://h/Users/openclaw/x", c: "/Users/openclaw/x"}`
    expect(rewriteJson5Strings(text, rewrite).text).toBe(`{a: "/Users/openclaw2/x", b: "http://h/Users/openclaw/x", c: "/home/openclaw/x"}`)
  })
})
