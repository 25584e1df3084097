/** Malformed metric input: a wrong-format annotation or results file, or mismatched array sizes. */
export class MetricsError extends Error {
  override name = 'MetricsError';
}
