/**
 * A minimal protocol-buffers wire-format writer, enough for ONNX's `ModelProto`: varints and
 * length-delimited bytes, strings and nested messages. Output is kept as a list of chunks so that large
 * initializers (hundreds of MB for HRNet-W48) are copied once, when {@link ProtoWriter.finish} concatenates them.
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  /** Bytes written so far. */
  length = 0;

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    this.chunks.push(Uint8Array.from(this.scratch));
    this.scratch = [];
  }

  private pushVarint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`protobuf varint must be a non-negative safe integer, got ${value}`);
    }
    let v = value;
    while (v >= 0x80) {
      this.scratch.push((v % 0x80) | 0x80);
      this.length += 1;
      v = Math.floor(v / 0x80);
    }
    this.scratch.push(v);
    this.length += 1;
  }

  private tag(field: number, wireType: 0 | 2 | 5): void {
    this.pushVarint(field * 8 + wireType);
  }

  /** A varint field (int32, int64, enum); negative values are not needed by ONNX here and rejected. */
  varint(field: number, value: number): this {
    this.tag(field, 0);
    this.pushVarint(value);
    return this;
  }

  /** A `float` field (wire type 5: four little-endian bytes). */
  float32(field: number, value: number): this {
    this.tag(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.flushScratch();
    this.chunks.push(bytes);
    this.length += 4;
    return this;
  }

  /** A length-delimited field holding raw bytes (kept by reference, not copied until {@link finish}). */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.pushVarint(value.length);
    this.flushScratch();
    this.chunks.push(value);
    this.length += value.length;
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** A nested message field, written by `write` into its own writer. */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    inner.flushScratch();
    this.tag(field, 2);
    this.pushVarint(inner.length);
    this.flushScratch();
    this.chunks.push(...inner.chunks);
    this.length += inner.length;
    return this;
  }

  /** The encoded message. */
  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}
