/**
 * invariant(): for conditions that can only be false through a programmer error. A broken
 * invariant throws (and so crashes the daemon at the top level) rather than letting a
 * corrupt state be written to disk. Operating errors (bad input, a full disk) are values
 * with codes instead, never invariant failures.
 */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(`invariant violated: ${message}`);
}

/** For the `default:` of an exhaustive switch: fails to compile when a case is missing. */
export function unreachable(value: never, what = 'value'): never {
  throw new InvariantError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
