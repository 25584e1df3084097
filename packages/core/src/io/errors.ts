/**
 * Malformed or unsupported input data (a checkpoint, array file or weights manifest).
 * The message always starts with the file path or label the bytes came from.
 */
export class FormatError extends Error {
  /** File path or label of the offending input. */
  readonly source: string;

  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.name = 'FormatError';
    this.source = source;
  }
}
