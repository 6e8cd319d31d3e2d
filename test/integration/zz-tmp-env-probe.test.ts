import {it, expect} from 'vitest'
it('env', () => { console.log('ENV', process.env.OCVM_SSH_CONFIG, process.env.OCVM_HOSTS); expect(1).toBe(1) })
