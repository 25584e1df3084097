import { FormatError } from './errors';

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_SIZE = 30;
const ZIP64_EXTRA_ID = 0x0001;
const METHOD_STORED = 0;

interface CentralDirectory {
  entries: number;
  offset: number;
}

function getUint64(view: DataView, offset: number, source: string): number {
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw new FormatError(source, `zip field too large at ${offset}`);
  return Number(value);
}

function findEndOfCentralDirectory(view: DataView, source: string): number {
  // The record ends the file, followed only by a comment of at most 65535 bytes.
  const last = view.byteLength - EOCD_SIZE;
  const first = Math.max(0, last - 0xffff);
  for (let offset = last; offset >= first; offset--) {
    if (view.getUint32(offset, true) === EOCD_SIGNATURE) return offset;
  }
  throw new FormatError(source, 'truncated: end of central directory not found (not a zip archive?)');
}

function readCentralDirectoryLocation(view: DataView, source: string): CentralDirectory {
  const eocd = findEndOfCentralDirectory(view, source);
  const entries = view.getUint16(eocd + 10, true);
  const offset = view.getUint32(eocd + 16, true);
  if (entries !== 0xffff && offset !== 0xffffffff) return { entries, offset };
  const locator = eocd - ZIP64_LOCATOR_SIZE;
  if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR_SIGNATURE) {
    throw new FormatError(source, 'zip64 end of central directory locator not found');
  }
  const record = getUint64(view, locator + 8, source);
  if (record + 56 > view.byteLength || view.getUint32(record, true) !== ZIP64_EOCD_SIGNATURE) {
    throw new FormatError(source, 'truncated: zip64 end of central directory record not found');
  }
  return { entries: getUint64(view, record + 32, source), offset: getUint64(view, record + 48, source) };
}

interface Sizes {
  size: number;
  compressedSize: number;
  localOffset: number;
}

/** Replaces the 32-bit fields saturated at 0xffffffff by their values from the zip64 extra field. */
function applyZip64Extra(
  view: DataView,
  extraStart: number,
  extraEnd: number,
  sizes: Sizes,
  source: string,
): Sizes {
  const needed = (['size', 'compressedSize', 'localOffset'] as const).filter(
    (key) => sizes[key] === 0xffffffff,
  );
  if (needed.length === 0) return sizes;
  for (let at = extraStart; at + 4 <= extraEnd; ) {
    const id = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (id === ZIP64_EXTRA_ID) {
      if (length < needed.length * 8 || at + 4 + length > extraEnd) {
        throw new FormatError(source, 'malformed zip64 extra field');
      }
      const result = { ...sizes };
      needed.forEach((key, i) => {
        result[key] = getUint64(view, at + 4 + i * 8, source);
      });
      return result;
    }
    at += 4 + length;
  }
  throw new FormatError(source, 'zip64 extra field missing');
}

/**
 * Reads the entries of a ZIP archive whose members are STORED (uncompressed), as PyTorch writes them.
 * Entries are returned as views into `bytes` (no copy), keyed by their names in archive order.
 * Zip64 archives are supported.
 * @param source - file path or label used in error messages.
 * @throws FormatError for a truncated or corrupt archive or a compressed entry.
 */
export function readZip(bytes: Uint8Array, source = '<zip>'): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < EOCD_SIZE)
    throw new FormatError(source, 'truncated: end of central directory not found');
  const directory = readCentralDirectoryLocation(view, source);
  const decoder = new TextDecoder();
  const files = new Map<string, Uint8Array>();
  let at = directory.offset;
  for (let index = 0; index < directory.entries; index++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL_SIGNATURE) {
      throw new FormatError(source, `corrupt central directory: entry ${index} not found at offset ${at}`);
    }
    const method = view.getUint16(at + 10, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const nameEnd = at + 46 + nameLength;
    if (nameEnd + extraLength > bytes.length) {
      throw new FormatError(source, `truncated: central directory entry ${index} extends past end of file`);
    }
    const name = decoder.decode(bytes.subarray(at + 46, nameEnd));
    const sizes = applyZip64Extra(
      view,
      nameEnd,
      nameEnd + extraLength,
      {
        compressedSize: view.getUint32(at + 20, true),
        size: view.getUint32(at + 24, true),
        localOffset: view.getUint32(at + 42, true),
      },
      source,
    );
    if (method !== METHOD_STORED) {
      throw new FormatError(
        source,
        `entry ${name} uses compression method ${method}; only stored entries are supported`,
      );
    }
    if (sizes.size !== sizes.compressedSize) {
      throw new FormatError(source, `stored entry ${name} has different compressed and uncompressed sizes`);
    }
    const local = sizes.localOffset;
    if (local + LOCAL_HEADER_SIZE > bytes.length || view.getUint32(local, true) !== LOCAL_SIGNATURE) {
      throw new FormatError(source, `entry ${name}: local header not found at offset ${local}`);
    }
    const dataStart =
      local + LOCAL_HEADER_SIZE + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (dataStart + sizes.size > bytes.length) {
      throw new FormatError(source, `truncated: entry ${name} extends past end of file`);
    }
    files.set(name, bytes.subarray(dataStart, dataStart + sizes.size));
    at = nameEnd + extraLength + commentLength;
  }
  return files;
}
