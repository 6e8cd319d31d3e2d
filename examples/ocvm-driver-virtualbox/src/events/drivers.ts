import type {DriversEventHandler} from 'ocvm'

import {virtualboxDriver} from '../driver.js'

// ocvm fires `ocvm:drivers` when a command needs drivers; answer with this plugin's drivers. Only
// return objects here: no processes, no network (ocvm waits at most a few seconds).
const handler: DriversEventHandler = async () => [virtualboxDriver]

export default handler
