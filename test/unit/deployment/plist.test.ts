import {describe, expect, it, vi} from 'vitest'

import {buildPlist, parsePlist, PlistError, type PlistValue} from '../../../src/deployment/plist.js'

// As written by the guide (phase-6-deployment.md, macOS LaunchDaemon), values shortened.
const GATEWAY_PLIST = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
    <key>Label</key>
    <string>ai.openclaw.gateway</string>
    <key>UserName</key>
    <string>openclaw</string>
    <key>GroupName</key>
    <string>staff</string>
    <!-- the gateway -->
    <key>ProgramArguments</key>
    <array>
        <string>/opt/homebrew/bin/node</string>
        <string>/opt/homebrew/lib/node_modules/openclaw/dist/index.js</string>
        <string>gateway</string>
        <string>--port</string>
        <string>18789</string>
    </array>
    <key>EnvironmentVariables</key>
    <dict>
        <key>HOME</key>
        <string>/Users/openclaw</string>
        <key>PATH</key>
        <string>/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin</string>
        <key>OPENCLAW_GATEWAY_PORT</key>
        <string>18789</string>
        <key>ANTHROPIC_API_KEY</key>
        <string>sk-ant-api03-xxxxxxxx</string>
    </dict>
    <key>RunAtLoad</key>
    <true/>
    <key>KeepAlive</key>
    <true/>
    <key>StandardOutPath</key>
    <string>/Users/openclaw/.openclaw/logs/gateway.log</string>
    <key>StandardErrorPath</key>
    <string>/Users/openclaw/.openclaw/logs/gateway.err.log</string>
</dict>
</plist>
`

const GATEWAY_VALUE: PlistValue = {
  Label: 'ai.openclaw.gateway',
  UserName: 'openclaw',
  GroupName: 'staff',
  ProgramArguments: ['/opt/homebrew/bin/node', '/opt/homebrew/lib/node_modules/openclaw/dist/index.js', 'gateway', '--port', '18789'],
  EnvironmentVariables: {
    HOME: '/Users/openclaw',
    PATH: '/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin',
    OPENCLAW_GATEWAY_PORT: '18789',
    ANTHROPIC_API_KEY: 'sk-ant-api03-xxxxxxxx',
  },
  RunAtLoad: true,
  KeepAlive: true,
  StandardOutPath: '/Users/openclaw/.openclaw/logs/gateway.log',
  StandardErrorPath: '/Users/openclaw/.openclaw/logs/gateway.err.log',
}

describe('parsePlist', () => {
  it('parses the guide LaunchDaemon (with <?xml?>, DOCTYPE, <plist version=...> and a comment)', () => {
    expect(parsePlist(GATEWAY_PLIST)).toEqual(GATEWAY_VALUE)
  })

  it('decodes entities and character references', () => {
    const xml = '<plist version="1.0"><dict><key>a&amp;b</key><string>x &lt;y&gt; &amp;&amp; &quot;q&quot; &apos;s&apos; &#65;&#x42;</string></dict></plist>'
    expect(parsePlist(xml)).toEqual({'a&b': 'x <y> && "q" \'s\' AB'})
  })

  it('reads CDATA sections, alone or between text, in strings and keys', () => {
    const xml = `<plist version="1.0"><dict>
      <key>script</key><string><![CDATA[if [ "$a" -lt 3 ] && [ -n "$b" ]; then echo "<ok>"; fi]]></string>
      <key>mixed</key><string>a &amp; <![CDATA[<b> & ]]>c</string>
      <key><![CDATA[k<1>]]></key><string>v</string>
      <key>endsLikeCdata</key><string>]]&gt;</string>
    </dict></plist>`
    expect(parsePlist(xml)).toEqual({script: 'if [ "$a" -lt 3 ] && [ -n "$b" ]; then echo "<ok>"; fi', mixed: 'a & <b> & c', 'k<1>': 'v', endsLikeCdata: ']]>'})
  })

  it('decodes entities in the plist as plutil writes them, and keeps comments and processing instructions out', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<?some-tool note?>
<plist version="1.0">
<!-- a comment with <string>markup</string> in it -->
<array>
	<string>/Users/me/My &quot;Work&quot; &amp; Play/openclaw</string>
	<string>caf&#xE9; &#8212; &#128512;</string>
	<string>a<!-- inside -->b</string>
</array>
</plist>`
    expect(parsePlist(xml)).toEqual(['/Users/me/My "Work" & Play/openclaw', 'café — 😀', 'ab'])
  })

  it('keeps a key named __proto__ as data', () => {
    const value = parsePlist('<plist><dict><key>__proto__</key><dict><key>polluted</key><true/></dict></dict></plist>') as Record<string, PlistValue>
    expect(Object.keys(value)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
  })

  it('prints nothing while it refuses a broken file', () => {
    const error = vi.spyOn(console, 'error')
    const warn = vi.spyOn(console, 'warn')
    try {
      expect(() => parsePlist('<plist><dict><key>a</key><string>b</string>')).toThrow(/unclosed/)
      expect(() => parsePlist('<plist><string>&undefined;</string></plist>')).toThrow(PlistError)
      expect(error).not.toHaveBeenCalled()
      expect(warn).not.toHaveBeenCalled()
    } finally {
      error.mockRestore()
      warn.mockRestore()
    }
  })

  it('keeps whitespace inside strings', () => {
    expect(parsePlist('<plist><string>  two  words \n</string></plist>')).toBe('  two  words \n')
  })

  it('reads empty elements, numbers, booleans, dates and data', () => {
    const xml = `<plist version="1.0"><dict>
      <key>empty</key><string/>
      <key>emptyOpenClose</key><string></string>
      <key>emptyDict</key><dict/>
      <key>emptyArray</key><array/>
      <key>spaced</key><dict />
      <key>n</key><integer>18789</integer>
      <key>neg</key><integer>-5</integer>
      <key>r</key><real>1.5</real>
      <key>no</key><false/>
      <key>when</key><date>2026-02-19T10:00:00Z</date>
      <key>blob</key><data>AAEC</data>
    </dict></plist>`
    expect(parsePlist(xml)).toEqual({
      empty: '',
      emptyOpenClose: '',
      emptyDict: {},
      emptyArray: [],
      spaced: {},
      n: 18_789,
      neg: -5,
      r: 1.5,
      no: false,
      when: '2026-02-19T10:00:00Z',
      blob: 'AAEC',
    })
  })

  it('reads nested dicts and arrays', () => {
    const xml = `<plist version="1.0"><dict>
      <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/><key>PathState</key><dict><key>/tmp/x</key><true/></dict></dict>
      <key>Sockets</key><array><dict><key>a</key><array><integer>1</integer><array/></array></dict></array>
    </dict></plist>`
    expect(parsePlist(xml)).toEqual({
      KeepAlive: {SuccessfulExit: false, PathState: {'/tmp/x': true}},
      Sockets: [{a: [1, []]}],
    })
  })

  it('parses a bare value without a <plist> wrapper', () => {
    expect(parsePlist('<array><string>a</string></array>')).toEqual(['a'])
  })

  it.each([
    ['empty input', ''],
    ['text only', 'not a plist'],
    ['an unterminated dict', '<plist><dict><key>a</key><string>b</string>'],
    ['an unterminated array', '<plist><array><string>a</string>'],
    ['an unterminated string', '<plist><string>abc'],
    ['a mismatched close', '<plist><string>abc</integer></plist>'],
    ['a value without a key', '<plist><dict><string>b</string></dict></plist>'],
    ['a key without a value', '<plist><dict><key>a</key></dict></plist>'],
    ['an unsupported element', '<plist><foo>1</foo></plist>'],
    ['an unsupported empty element', '<plist><integer/></plist>'],
    ['text where a value belongs', '<plist><dict><key>a</key>oops<string>b</string></dict></plist>'],
    ['a closing tag first', '</dict>'],
    ['two values in <plist>', '<plist><string>a</string><string>b</string></plist>'],
    ['an integer that is not a number', '<plist><integer>12abc</integer></plist>'],
    ['an element inside a string', '<plist><string>a<b/>c</string></plist>'],
    ['an unknown entity', '<plist><string>&nbsp;</string></plist>'],
  ])('throws PlistError on %s', (_what, xml) => {
    expect(() => parsePlist(xml)).toThrow(PlistError)
  })
})

describe('buildPlist', () => {
  it('writes an XML plist with the Apple header', () => {
    const xml = buildPlist({Label: 'ai.openclaw.gateway', RunAtLoad: true})
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist')).toBe(true)
    expect(xml).toContain('<plist version="1.0">')
    expect(xml).toContain('\t<key>Label</key>\n\t<string>ai.openclaw.gateway</string>')
    expect(xml).toContain('<true/>')
    expect(xml.trimEnd().endsWith('</plist>')).toBe(true)
  })

  it('escapes &, < and >', () => {
    const xml = buildPlist({'a<b': 'x & y > z'})
    expect(xml).toContain('<key>a&lt;b</key>')
    expect(xml).toContain('<string>x &amp; y &gt; z</string>')
  })

  it.each<[string, PlistValue]>([
    ['the guide daemon', GATEWAY_VALUE],
    ['scalars', {s: 'text', empty: '', i: 42, neg: -1, r: 0.25, t: true, f: false}],
    ['empty containers', {d: {}, a: [], nested: [[], {}]}],
    ['special characters', {'k&<>"\'': 'v &amp; <tag> "q" \'s\' ünï \n line2', arr: ['&lt;', '<![CDATA[x]]>']}],
    ['deep nesting', {a: {b: {c: [{d: [1, 2, {e: 'f'}]}]}}}],
    ['a top-level array', ['a', 1, true, {k: 'v'}]],
    ['a top-level string', 'just a string'],
  ])('round-trips %s through parsePlist', (_what, value) => {
    expect(parsePlist(buildPlist(value))).toEqual(value)
  })
})
