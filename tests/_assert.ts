/**
 * Assertions for tests, on Node's built-in module (JSR's @std/assert is unreachable
 * from these machines).
 *
 * @module
 */
import assert from "node:assert/strict";

export const assertEquals = <T>(actual: T, expected: T, message?: string): void =>
  assert.deepStrictEqual(actual, expected, message);
export const assert_ = assert;
export const assertMatch = (actual: string, pattern: RegExp, message?: string): void =>
  assert.match(actual, pattern, message);
export const assertStringIncludes = (actual: string, expected: string): void =>
  assert.ok(
    actual.includes(expected),
    `expected ${JSON.stringify(actual)} to include ${JSON.stringify(expected)}`,
  );
export async function assertRejects(
  fn: () => Promise<unknown>,
  pattern?: RegExp,
): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    if (pattern) assert.match(error instanceof Error ? error.message : String(error), pattern);
    return error as Error;
  }
  throw new assert.AssertionError({ message: "expected the promise to reject" });
}
export function assertThrows(fn: () => unknown, pattern?: RegExp): Error {
  try {
    fn();
  } catch (error) {
    if (pattern) assert.match(error instanceof Error ? error.message : String(error), pattern);
    return error as Error;
  }
  throw new assert.AssertionError({ message: "expected the function to throw" });
}
