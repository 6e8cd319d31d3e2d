import type {Context} from '../../context.js'
import type {GuestShell} from '../../postmigrate/api.js'

/**
 * A guest reached over ssh at the address its hypervisor reports. ssh runs from this machine with
 * the user's ssh config, so the guest's login user, keys and a ProxyJump through the hypervisor host
 * (NAT'd guest networks are only reachable from there) are configured in ~/.ssh/config or --ssh-config.
 */
export function guestOverSsh(address: string, ctx: Context): GuestShell {
  return ctx.shells.get({kind: 'ssh', host: address})
}

export const GUEST_SSH_HINT =
  'ocvm reaches the guest with ssh at the address the hypervisor reports: enable SSH (Remote Login) in the guest, install your key there, and set its User (and a ProxyJump through the VM host if the guest network is NAT-only) in ~/.ssh/config or --ssh-config.'
