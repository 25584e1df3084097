import type { WeightFile } from '../zoo/cards';
import { ChecksumMismatchError } from './errors';

/** SHA-256 of `bytes` as lowercase hex, with WebCrypto (`crypto.subtle`), in browsers and Node alike. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Whether the card publishes a checksum for the file (the official HRNet files have none). */
export function hasChecksum(file: WeightFile): boolean {
  return file.sha256 !== undefined || file.sha256Prefix !== undefined;
}

/**
 * Checks `bytes` against the file's published SHA-256 (full sum, or the leading digits MMPose publishes).
 * Files without a published sum pass.
 *
 * @param label the URL or path named in the error
 * @throws ChecksumMismatchError naming the file, the expected and the actual sum
 */
export async function verifyWeightFile(file: WeightFile, bytes: Uint8Array, label: string): Promise<void> {
  if (!hasChecksum(file)) return;
  const actual = await sha256Hex(bytes);
  const expected = (file.sha256 ?? file.sha256Prefix)!.toLowerCase();
  if (!actual.startsWith(expected)) throw new ChecksumMismatchError(label, expected, actual);
}
