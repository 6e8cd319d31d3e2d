import {register} from 'node:module'

let registered = false

/** Lets plugins `import from 'ocvm'` and get this running ocvm (see resolve-ocvm.ts). Idempotent. */
export function provideOcvmToPlugins(): void {
  if (registered) return
  registered = true
  // A file inside ocvm's package, so that 'ocvm' resolves through the package's own `exports`.
  const selfParentURL = new URL('../index.js', import.meta.url).href
  register('./resolve-ocvm.js', {parentURL: import.meta.url, data: {selfParentURL}})
}
