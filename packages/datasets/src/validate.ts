import { AnnotationError } from './errors';

/** A JSON object as parsed, before validation. */
export type JsonObject = Record<string, unknown>;

/** Reads the fields of parsed annotation JSON, throwing {@link AnnotationError}s that name the field. */
export class JsonReader {
  /** @param source - file name used as the message prefix, e.g. `test_coco.json`. */
  constructor(readonly source: string) {}

  /** Throws an {@link AnnotationError} `"<source>: <message>"`. */
  fail(message: string): never {
    throw new AnnotationError(`${this.source}: ${message}`);
  }

  /** `value` as an object, or an error saying what `path` should be. */
  object(value: unknown, path: string): JsonObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(`${path} must be an object, got ${describe(value)}`);
    }
    return value as JsonObject;
  }

  /** `value` as an array. */
  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(`${path} must be an array, got ${describe(value)}`);
    return value;
  }

  /** The field `key` of `obj`, or an error `"<path> has no '<key>'"`. */
  field(obj: JsonObject, key: string, path: string): unknown {
    if (!(key in obj) || obj[key] === undefined) this.fail(`${path} has no '${key}'`);
    return obj[key];
  }

  /** The finite number field `key` of `obj`. */
  number(obj: JsonObject, key: string, path: string): number {
    const value = this.field(obj, key, path);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.fail(`${path}.${key} must be a finite number, got ${describe(value)}`);
    }
    return value;
  }

  /** The string field `key` of `obj`. */
  string(obj: JsonObject, key: string, path: string): string {
    const value = this.field(obj, key, path);
    if (typeof value !== 'string') this.fail(`${path}.${key} must be a string, got ${describe(value)}`);
    return value;
  }

  /** The array field `key` of `obj`, of finite numbers, of length `length` when given. */
  numbers(obj: JsonObject, key: string, path: string, length?: number): number[] {
    const value = this.array(this.field(obj, key, path), `${path}.${key}`);
    if (length !== undefined && value.length !== length) {
      this.fail(`${path}.${key} must have ${length} numbers, got ${value.length}`);
    }
    value.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        this.fail(`${path}.${key}[${i}] must be a finite number, got ${describe(v)}`);
      }
    });
    return value as number[];
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return typeof value === 'object' ? 'an object' : String(value);
}

/** Parses JSON text, turning a syntax error into an {@link AnnotationError} naming `source`. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new AnnotationError(`${source}: not valid JSON (${(cause as Error).message})`, { cause });
  }
}
