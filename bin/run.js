#!/usr/bin/env node
import {execute, settings} from '@oclif/core'

// Plugins (ours and linked ones) run their compiled dist/, never through ts-node: a linked
// plugin is rebuilt with `npm run build` in its own directory.
settings.enableAutoTranspile = false

await execute({dir: import.meta.url})
