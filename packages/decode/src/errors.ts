/**
 * The error thrown for invalid decode inputs: mismatched shapes or counts, non-finite values
 * (NaN/Infinity), malformed keypoint sets. The message names the input and what was expected.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}
