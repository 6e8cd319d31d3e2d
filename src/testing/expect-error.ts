import {expect} from 'vitest'

import {OcvmError} from '../errors.js'

/**
 * The call MUST fail with an OcvmError that carries a hint (and, when `code` is given, that code);
 * returns it for further checks.
 */
export async function expectOcvmError(promise: Promise<unknown>, code?: string): Promise<OcvmError> {
  let caught: unknown
  try {
    await promise
  } catch (error) {
    caught = error
  }
  expect(caught, 'the call must fail').toBeDefined()
  expect(caught, `expected an OcvmError, got: ${String(caught)}`).toBeInstanceOf(OcvmError)
  const error = caught as OcvmError
  expect(error.hint ?? '', `OcvmError "${error.message}" must carry a hint`).not.toBe('')
  if (code !== undefined) expect(error).toMatchObject({code})
  return error
}
