import type {Shell} from '../hosts/shell.js'

/**
 * Where post-migrate hooks run: the target host over ssh, or a guest through its driver's native
 * exec. Same interface as a host Shell, so a hook never knows which one it got.
 */
export type GuestShell = Shell
