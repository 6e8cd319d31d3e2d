// A Node module-resolution hook (module.register), loaded before plugin hooks run. It makes
// `import ... from 'ocvm'` (and 'ocvm/testing') inside a plugin resolve to the ocvm that is running,
// so a plugin installed with `ocvm plugins install` needs no copy of ocvm of its own (it declares
// ocvm as an optional peer) and its OcvmErrors are the host's classes.

interface ResolveContext {
  parentURL?: string
  conditions?: string[]
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<unknown>

let selfParentURL: string | undefined

export async function initialize(data: {selfParentURL: string}): Promise<void> {
  selfParentURL = data.selfParentURL
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<unknown> {
  if (selfParentURL && (specifier === 'ocvm' || specifier.startsWith('ocvm/'))) {
    // Resolved as a self-reference from inside ocvm's own package: its `exports` map decides.
    return nextResolve(specifier, {...context, parentURL: selfParentURL})
  }
  return nextResolve(specifier, context)
}
