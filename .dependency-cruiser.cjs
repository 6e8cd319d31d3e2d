// The layering rules of ocvm (docs/architecture.md): arrows go one way,
//   commands -> views -> services -> pipeline -> building blocks -> hosts -> exec
// and nothing imports upwards or in a circle. `npm test` runs this before any test.
const layer = (...dirs) => `^src/(${dirs.join('|')})/`

// From the top down; a folder may import its own layer and any layer below it.
const LAYERS = [
  {name: 'commands', from: ['commands', 'flags'], files: ['^src/base-command\\.ts$', '^src/not-found\\.ts$', '^src/index\\.ts$']},
  {name: 'views', from: ['views']},
  {name: 'services', from: ['migrate', 'archive', 'inspect', 'verify', 'doctor', 'plugins']},
  {name: 'pipeline', from: ['pipeline']},
  {name: 'building blocks', from: ['drivers', 'postmigrate', 'deployment', 'transfer', 'rewrite', 'output']},
  {name: 'hosts', from: ['hosts']},
  {name: 'exec', from: ['exec']},
]

const upward = LAYERS.slice(1).map((low, i) => ({
  name: `no-upward-from-${low.name.replace(/ /g, '-')}`,
  comment: `${low.name} (${low.from.join(', ')}) must not import a higher layer`,
  severity: 'error',
  from: {path: layer(...low.from)},
  to: {path: [...LAYERS.slice(0, i + 1).flatMap((high) => [layer(...high.from), ...(high.files ?? [])])]},
}))

module.exports = {
  forbidden: [
    {name: 'no-circular', comment: 'no import cycles, type-only imports included', severity: 'error', from: {}, to: {circular: true}},
    {name: 'exec-owns-processes', comment: 'only src/exec spawns processes (execa, child_process)', severity: 'error', from: {path: '^src/', pathNot: '^src/exec/'}, to: {path: '(^|/)node_modules/execa/|^child_process$|^node:child_process$', dependencyTypes: ['npm', 'core']}},
    ...upward,
    {
      name: 'views-render-results',
      comment: 'a renderer reads a service\'s result types, never its code',
      severity: 'error',
      from: {path: layer('views')},
      to: {path: layer('migrate', 'archive', 'inspect', 'verify', 'doctor', 'plugins'), dependencyTypesNot: ['type-only']},
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: {fileName: 'tsconfig.json'},
    doNotFollow: {path: 'node_modules'},
    exclude: {path: '^src/testing/'},
  },
}
