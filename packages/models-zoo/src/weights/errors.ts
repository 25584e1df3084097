/** A weights file whose SHA-256 differs from the published one; nothing is cached. */
export class ChecksumMismatchError extends Error {
  override name = 'ChecksumMismatchError';

  constructor(
    /** Where the bytes came from (URL or path). */
    readonly file: string,
    /** Published sum (or its leading digits). */
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${file}: sha256 mismatch: expected ${expected}${expected.length < 64 ? '…' : ''}, got ${actual}`);
  }
}

/**
 * Weights that are neither cached nor in the mirror and could not be downloaded (offline, no published URL,
 * or an interrupted transfer). The message says what to download and where to put it.
 */
export class WeightsUnavailableError extends Error {
  override name = 'WeightsUnavailableError';
}
