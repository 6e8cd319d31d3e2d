import {register} from 'node:module'

// A Node module resolver (registered with module.register), installed before ocvm fires a plugin
// event. It makes `import ... from 'ocvm'` (and 'ocvm/testing') inside a plugin resolve to the ocvm
// that is running, so a plugin installed with `ocvm plugins install` needs no copy of ocvm of its own
// (it declares ocvm as an optional peer) and the OcvmErrors it throws are this ocvm's classes. Its
// source is inline (a data: URL) because Node runs module resolvers in their own thread, loaded by URL.
const RESOLVER_SOURCE = `
let selfParentURL
export async function initialize(data) { selfParentURL = data.selfParentURL }
export async function resolve(specifier, context, nextResolve) {
  if (selfParentURL && (specifier === 'ocvm' || specifier.startsWith('ocvm/'))) {
    // Resolved as a self-reference from inside ocvm's own package: its "exports" map decides.
    return nextResolve(specifier, {...context, parentURL: selfParentURL})
  }
  return nextResolve(specifier, context)
}
`

let registered = false

/** Lets plugins `import from 'ocvm'` and get this running ocvm. Idempotent. */
export function provideOcvmToPlugins(): void {
  if (registered) return
  registered = true
  // Any URL inside ocvm's package directory: 'ocvm' then resolves through the package's own `exports`.
  const selfParentURL = new URL('../index.js', import.meta.url).href
  register(`data:text/javascript,${encodeURIComponent(RESOLVER_SOURCE)}`, {data: {selfParentURL}})
}
