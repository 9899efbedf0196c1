import { InvalidEventError } from './errors.js';

export const MAX_STREAM_ID_LENGTH = 200;
export const MAX_EVENT_TYPE_LENGTH = 128;
/** Per event, for data and for metadata, in UTF-8 bytes. */
export const MAX_JSON_BYTES = 1024 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Printable, no whitespace control characters: ids end up in URLs, logs and hash input lines.
// eslint-disable-next-line no-control-regex -- control characters are exactly what a stream id may not hold
const STREAM_ID = /^[^\u0000-\u001f\u007f]+$/;
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9_.:-]*$/;

export function checkStreamId(streamId: unknown, where = 'streamId'): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidEventError(where, 'a stream id must be a non-empty string');
  }
  if (streamId.length > MAX_STREAM_ID_LENGTH) {
    throw new InvalidEventError(where, `a stream id may have at most ${MAX_STREAM_ID_LENGTH} characters, this one has ${streamId.length}`);
  }
  if (!STREAM_ID.test(streamId) || streamId.trim() !== streamId) {
    throw new InvalidEventError(where, 'a stream id may not contain control characters or leading/trailing spaces');
  }
  if (streamId.startsWith('$')) {
    throw new InvalidEventError(where, 'stream ids starting with "$" are reserved for the store');
  }
}

export function checkEventId(id: unknown, where: string): asserts id is string {
  if (typeof id !== 'string' || !UUID.test(id)) {
    throw new InvalidEventError(where, 'an event id must be a lower-case UUID');
  }
}

export function checkEventType(type: unknown, where: string): asserts type is string {
  if (typeof type !== 'string' || !EVENT_TYPE.test(type) || type.length > MAX_EVENT_TYPE_LENGTH) {
    throw new InvalidEventError(where, `an event type must be 1–${MAX_EVENT_TYPE_LENGTH} characters: a letter, then letters, digits or _ . : -`);
  }
}

/**
 * Serialises a value that must survive a JSON round trip unchanged, naming the first offending
 * place otherwise. JSON.stringify alone would silently turn NaN into null and drop functions.
 */
export function toJsonText(value: unknown, where: string): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidEventError(where, 'must be a JSON object');
  }
  checkJsonValue(value, where, 0);
  const text = JSON.stringify(value);
  // A UTF-8 character takes at most 3 bytes per UTF-16 unit; only measure exactly when it could matter.
  if (text.length * 3 > MAX_JSON_BYTES && Buffer.byteLength(text) > MAX_JSON_BYTES) {
    throw new InvalidEventError(where, `is ${Buffer.byteLength(text)} bytes of JSON; the limit is ${MAX_JSON_BYTES} (1 MiB)`);
  }
  return text;
}

const MAX_DEPTH = 64;

function checkJsonValue(value: unknown, where: string, depth: number): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidEventError(where, `${value} is not a JSON number`);
      return;
    case 'object': {
      if (value === null) return;
      if (depth >= MAX_DEPTH) throw new InvalidEventError(where, `nests deeper than ${MAX_DEPTH} levels (or is circular)`);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) checkJsonValue(value[i], `${where}[${i}]`, depth + 1);
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        if (value instanceof Date) throw new InvalidEventError(where, 'is a Date; store dates as ISO-8601 strings');
        throw new InvalidEventError(where, `is a ${proto?.constructor?.name ?? 'non-plain'} object, not plain JSON`);
      }
      for (const key in value) {
        const v = (value as Record<string, unknown>)[key];
        // undefined properties are dropped by JSON, as everywhere in JavaScript: not an error.
        if (v !== undefined) checkJsonValue(v, `${where}.${key}`, depth + 1);
      }
      return;
    }
    case 'undefined':
      throw new InvalidEventError(where, 'is undefined, which JSON cannot hold');
    default:
      throw new InvalidEventError(where, `is a ${typeof value}, which JSON cannot hold`);
  }
}
