import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { referencePath } from '../../../../testing/shared';
import { readZip } from './zip';

const modelPath = referencePath('models', 'tiny', 'model.pth');
const model = () => new Uint8Array(readFileSync(modelPath));

/** Offset of the first central directory record (signature PK\x01\x02). */
function firstCentralRecord(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 4 <= bytes.length; at++) if (view.getUint32(at, true) === 0x02014b50) return at;
  throw new Error('no central directory');
}

describe('readZip', () => {
  it('lists the stored entries of a PyTorch archive', () => {
    const files = readZip(model(), modelPath);
    expect(files.size).toBe(616);
    expect(new TextDecoder().decode(files.get('model/version'))).toMatch(/^\d+\n?$/);
    expect(files.get('model/data/0')!.length).toBe(64 * 3 * 3 * 3 * 4);
    expect(files.get('model/data.pkl')![0]).toBe(0x80);
  });

  it('reports a truncated archive', () => {
    const bytes = model();
    expect(() => readZip(bytes.subarray(0, bytes.length >> 1), 'half.pth')).toThrow(
      'half.pth: truncated: end of central directory not found',
    );
    expect(() => readZip(new Uint8Array(5), 'tiny.zip')).toThrow('tiny.zip: truncated');
  });

  it('rejects compressed entries', () => {
    const bytes = model();
    bytes[firstCentralRecord(bytes) + 10] = 8; // method: deflate
    expect(() => readZip(bytes, 'deflated.pth')).toThrow(
      'deflated.pth: entry model/data.pkl uses compression method 8; only stored entries are supported',
    );
  });

  it('rejects an entry running past the end of the file', () => {
    const bytes = model();
    const view = new DataView(bytes.buffer);
    const record = firstCentralRecord(bytes);
    view.setUint32(record + 20, 0x7fffffff, true);
    view.setUint32(record + 24, 0x7fffffff, true);
    expect(() => readZip(bytes, 'long.pth')).toThrow(
      'long.pth: truncated: entry model/data.pkl extends past end of file',
    );
  });
});
