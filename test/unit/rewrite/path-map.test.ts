import {describe, expect, it} from 'vitest'

import {PathMap} from '../../../src/rewrite/path-map.js'

const STATE = {from: '/Users/alice/.openclaw', to: '/home/openclaw/.openclaw'}
const HOME = {from: '/Users/alice', to: '/home/openclaw'}
const typical = new PathMap([STATE, HOME])

describe('PathMap construction', () => {
  it('orders mappings longest `from` first whatever order they were given in', () => {
    expect(new PathMap([HOME, STATE]).mappings).toEqual([STATE, HOME])
  })

  it('drops identity mappings from `mappings`', () => {
    const map = new PathMap([{from: '/srv/oc', to: '/srv/oc'}, HOME])
    expect(map.mappings).toEqual([HOME])
    expect(map.mapPath('/srv/oc/x')).toBeUndefined()
  })

  it('normalizes trailing and doubled slashes', () => {
    const map = new PathMap([{from: '/Users//alice/', to: '/home/openclaw/'}])
    expect(map.mappings).toEqual([HOME])
    expect(map.mapPath('/Users/alice/x')).toBe('/home/openclaw/x')
  })

  it.each([
    [{from: 'Users/alice', to: '/home/x'}, /absolute/],
    [{from: '/Users/alice', to: '~/x'}, /absolute/],
    [{from: '', to: '/home/x'}, /absolute/],
    [{from: '/', to: '/home/x'}, /root/],
    [{from: '/Users/alice', to: '//'}, /root/],
    [{from: '/Users/../alice', to: '/home/x'}, /normalized/],
    [{from: '/Users/./alice', to: '/home/x'}, /normalized/],
    [{from: '/Users/a\0b', to: '/home/x'}, /NUL/],
  ])('rejects %j', (mapping, message) => {
    expect(() => new PathMap([mapping])).toThrow(message)
  })

  it('rejects two different targets for the same source, accepts duplicates', () => {
    expect(() => new PathMap([HOME, {from: '/Users/alice/', to: '/home/bob'}])).toThrow(/conflicting/)
    expect(new PathMap([HOME, {...HOME}]).mappings).toEqual([HOME])
  })

  it('an empty map changes nothing', () => {
    const map = new PathMap([])
    expect(map.mappings).toEqual([])
    expect(map.mapPath('/Users/alice')).toBeUndefined()
    expect(map.mapEmbedded('cd /Users/alice')).toBe('cd /Users/alice')
  })
})

describe('PathMap.mapPath', () => {
  it.each([
    ['/Users/alice', '/home/openclaw'],
    ['/Users/alice/', '/home/openclaw/'],
    ['/Users/alice/notes/a.md', '/home/openclaw/notes/a.md'],
    ['/Users/alice/.openclaw', '/home/openclaw/.openclaw'],
    ['/Users/alice/.openclaw/workspaces/main', '/home/openclaw/.openclaw/workspaces/main'],
    ['/Users/alice/.openclaw-dev/workspace', '/home/openclaw/.openclaw-dev/workspace'],
    ['/Users/alice/Library/Application Support/x', '/home/openclaw/Library/Application Support/x'],
  ])('%s -> %s', (value, expected) => {
    expect(typical.mapPath(value)).toBe(expected)
  })

  it.each([
    '/Users/alice2',
    '/Users/alice2/x',
    '/Users/alice.bak/x',
    '/Users/alic',
    '/Users',
    '/srv/Users/alice/x',
    '/opt/homebrew/bin/claude',
    'Users/alice/x',
    '~/x',
    ' /Users/alice',
    '${HOME}/x',
    'file:///Users/alice/x',
    '',
  ])('leaves %j alone', (value) => {
    expect(typical.mapPath(value)).toBeUndefined()
  })

  it('the longest `from` wins even when it maps somewhere unrelated', () => {
    const map = new PathMap([HOME, {from: '/Users/alice/.openclaw', to: '/srv/openclaw-state'}])
    expect(map.mapPath('/Users/alice/.openclaw/openclaw.json')).toBe('/srv/openclaw-state/openclaw.json')
    expect(map.mapPath('/Users/alice/.openclawx')).toBe('/home/openclaw/.openclawx')
    expect(map.mapPath('/Users/alice/x')).toBe('/home/openclaw/x')
  })

  it('an identity mapping pins a dir under a moved parent', () => {
    const map = new PathMap([HOME, {from: '/Users/alice/shared', to: '/Users/alice/shared'}])
    expect(map.mapPath('/Users/alice/shared/a')).toBeUndefined()
    expect(map.mapPath('/Users/alice/other')).toBe('/home/openclaw/other')
    expect(map.mapEmbedded('cp /Users/alice/shared/a /Users/alice/b')).toBe('cp /Users/alice/shared/a /home/openclaw/b')
  })

  it('maps once: swapped dirs do not undo each other, and the result is not re-mapped', () => {
    const swap = new PathMap([{from: '/a', to: '/b'}, {from: '/b', to: '/a'}])
    expect(swap.mapPath('/a/x')).toBe('/b/x')
    expect(swap.mapEmbedded('/a/x:/b/y')).toBe('/b/x:/a/y')
  })

  it('is case sensitive (macOS paths are rewritten as written)', () => {
    expect(typical.mapPath('/users/alice/x')).toBeUndefined()
  })
})

describe('PathMap.mapEmbedded', () => {
  it.each([
    // command lines
    ['/Users/alice/bin/tool --x', '/home/openclaw/bin/tool --x'],
    ['node /Users/alice/.openclaw/extensions/x/index.js', 'node /home/openclaw/.openclaw/extensions/x/index.js'],
    ['--config=/Users/alice/.openclaw/openclaw.json', '--config=/home/openclaw/.openclaw/openclaw.json'],
    ['HOME=/Users/alice', 'HOME=/home/openclaw'],
    ['sh -c "cd /Users/alice/src && make"', 'sh -c "cd /home/openclaw/src && make"'],
    ["sh -c 'cd /Users/alice'", "sh -c 'cd /home/openclaw'"],
    ['echo `ls /Users/alice`', 'echo `ls /home/openclaw`'],
    ['$(cat /Users/alice/x)', '$(cat /home/openclaw/x)'],
    ['a;/Users/alice/x|/Users/alice/y&/Users/alice/z', 'a;/home/openclaw/x|/home/openclaw/y&/home/openclaw/z'],
    // crontab lines with redirections
    ['0 3 * * * /Users/alice/bin/backup >>/Users/alice/log/b.log 2>&1', '0 3 * * * /home/openclaw/bin/backup >>/home/openclaw/log/b.log 2>&1'],
    ['*/5 * * * * cmd </Users/alice/in >/Users/alice/out', '*/5 * * * * cmd </home/openclaw/in >/home/openclaw/out'],
    // docker binds and PATH-like lists
    ['/Users/alice/src:/src:rw', '/home/openclaw/src:/src:rw'],
    ['/Users/alice/.openclaw/workspaces/main:/workspace:ro', '/home/openclaw/.openclaw/workspaces/main:/workspace:ro'],
    ['/usr/bin:/Users/alice/bin:/bin', '/usr/bin:/home/openclaw/bin:/bin'],
    // file URLs, lists, inline JSON
    ['file:///Users/alice/x.html', 'file:///home/openclaw/x.html'],
    ['FILE:///Users/alice', 'FILE:///home/openclaw'],
    ['open file:///Users/alice/a', 'open file:///home/openclaw/a'],
    ['/Users/alice/a,/Users/alice/b', '/home/openclaw/a,/home/openclaw/b'],
    ['{"dir":"/Users/alice/x"}', '{"dir":"/home/openclaw/x"}'],
    ['["/Users/alice"]', '["/home/openclaw"]'],
    ['(/Users/alice)', '(/home/openclaw)'],
    // multi-line text
    ['a /Users/alice\nb\t/Users/alice/.openclaw\n', 'a /home/openclaw\nb\t/home/openclaw/.openclaw\n'],
  ])('%j', (text, expected) => {
    expect(typical.mapEmbedded(text)).toBe(expected)
  })

  it.each([
    '/Users/alice2/x',
    'cd /Users/alice2',
    '/Users/alice.old',
    '/Users/alice-x',
    '/Users/alice_x',
    '/Users/alice~',
    '/Users/alice\\ 2/x', // a shell-escaped space: a different dir
    '/srv/Users/alice/x',
    'http://example.com/Users/alice/x',
    'https://host:8443/Users/alice',
    'ws://localhost/Users/alice',
    'myfile:///Users/alice',
    'ssh-host.example:x/Users/alice',
    '~/Users/alice',
    './Users/alice',
    'Users/alice',
    '',
    'no paths here',
  ])('leaves %j alone', (text) => {
    expect(typical.mapEmbedded(text)).toBe(text)
  })

  it('applies the longest mapping at each occurrence and falls back to a shorter one', () => {
    const map = new PathMap([HOME, {from: '/Users/alice/.openclaw', to: '/srv/state'}])
    expect(map.mapEmbedded('/Users/alice/.openclaw/x /Users/alice/.openclaw2 /Users/alice/.openclaw')).toBe(
      '/srv/state/x /home/openclaw/.openclaw2 /srv/state',
    )
  })

  it('handles paths with spaces in `from`', () => {
    const map = new PathMap([{from: '/Users/Alice Smith', to: '/home/alice'}])
    expect(map.mapEmbedded('"/Users/Alice Smith/bin/x" /Users/Alice Smithy')).toBe('"/home/alice/bin/x" /Users/Alice Smithy')
  })

  it('agrees with mapPath for a value that is a single path', () => {
    for (const value of ['/Users/alice', '/Users/alice/', '/Users/alice/a b/c', '/Users/alice/.openclaw/x', '/Users/alice2']) {
      expect(typical.mapEmbedded(value)).toBe(typical.mapPath(value) ?? value)
    }
  })

  it('is idempotent when no target lies under a source', () => {
    const text = 'cd /Users/alice && /Users/alice/.openclaw/x >>/Users/alice/log'
    const once = typical.mapEmbedded(text)
    expect(typical.mapEmbedded(once)).toBe(once)
  })
})

describe('PathMap.mentions', () => {
  it('finds old paths at boundaries only', () => {
    expect(typical.mentions('see /Users/alice/x')).toBe(true)
    expect(typical.mentions('file:///Users/alice')).toBe(true)
    expect(typical.mentions('/Users/alice2 and http://h/Users/alice')).toBe(false)
    expect(new PathMap([{from: '/Users/alice', to: '/Users/alice'}]).mentions('/Users/alice')).toBe(false)
  })
})
