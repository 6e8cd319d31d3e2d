import type {Driver} from './api.js'
import {fileDriver} from './file/index.js'
import {libvirtDriver} from './libvirt/index.js'
import {lumeDriver} from './lume/index.js'
import {multipassDriver} from './multipass/index.js'
import {parallelsDriver} from './parallels/index.js'

/** Built-in drivers, listed explicitly (no registration side effects at import time). */
export const BUILTIN_DRIVERS: readonly Driver[] = [fileDriver, libvirtDriver, lumeDriver, multipassDriver, parallelsDriver]
