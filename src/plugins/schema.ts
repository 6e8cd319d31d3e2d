import {z} from 'zod'

import {NEXT_STEP_KEYS} from '../postmigrate/api.js'

// The shape of what a plugin's event handler answers, checked before ocvm trusts it. apiVersion is
// checked separately so that an incompatible plugin gets a message naming both versions.

const fn = z.custom<(...args: unknown[]) => unknown>((v) => typeof v === 'function', {message: 'must be a function'})

export const DRIVER_NAME_RE = /^[a-z][a-z0-9-]{0,30}$/

export const DriverCapabilitiesSchema = z.object({
  level: z.enum(['image', 'state']),
  export: z.boolean(),
  import: z.boolean(),
  live: z.boolean(),
  guestExec: z.boolean(),
  formats: z.array(z.enum(['raw', 'qcow2', 'vmdk', 'vdi', 'hdd', 'img'])),
})

const IMAGE_VERBS = ['list', 'inspect', 'stop', 'start', 'exportVm', 'importVm', 'removeImported', 'guestShell'] as const

export const PluginDriverSchema = z
  .object({
    name: z.string().regex(DRIVER_NAME_RE, 'must be lowercase letters, digits and dashes, starting with a letter (at most 31)'),
    apiVersion: z.number(),
    description: z.string().min(1).refine((d) => !d.includes('\n'), 'must be one line'),
    capabilities: DriverCapabilitiesSchema,
    probe: fn,
    list: fn.optional(),
    inspect: fn.optional(),
    stop: fn.optional(),
    start: fn.optional(),
    exportVm: fn.optional(),
    importVm: fn.optional(),
    removeImported: fn.optional(),
    guestShell: fn.optional(),
    provisionLike: fn.optional(),
    liveMigrate: fn.optional(),
    abandonImport: fn.optional(),
  })
  .superRefine((driver, ctx) => {
    if (driver.capabilities.level !== 'image') return
    for (const verb of IMAGE_VERBS) {
      if (typeof driver[verb] !== 'function') ctx.addIssue({code: 'custom', path: [verb], message: `an image-level driver must implement ${verb}()`})
    }
  })

export const PluginHookSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/, 'must be namespaced: <plugin>/<name>, lowercase')
    .refine((id) => !id.startsWith('ocvm/'), 'the ocvm/ namespace is reserved for built-in hooks'),
  apiVersion: z.number({message: 'a plugin hook must declare apiVersion (HOOK_API_VERSION)'}),
  description: z.string().min(1),
  appliesTo: z.object({
    os: z.array(z.enum(['linux', 'macos'])).optional(),
    drivers: z.array(z.string()).optional(),
    where: z.array(z.enum(['host', 'guest'])).optional(),
  }),
  onError: z.enum(['continue', 'fail']),
  timeoutMs: z.number().int().positive(),
  settles: z.array(z.enum(NEXT_STEP_KEYS)).optional(),
  check: fn,
  apply: fn,
  verify: fn,
})

/** zod issues as one line: `capabilities.level: Invalid option…; probe: must be a function`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(answer)'}: ${i.message}`).join('; ')
}
