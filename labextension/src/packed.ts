/**
 * Reads the packed form of a kerasviz MIME output, as a notebook file keeps it
 * (kerasviz/schema/packed.schema.json, made by `kerasviz.mimebundle.pack`):
 *
 *     {"kerasviz_packed": 1, "encoding": "zlib+base64", "selected": id | null,
 *      "data": base64(zlib(JSON of the view or comparison payload))}
 *
 * Decoding runs before validation (validate.ts, comparison.ts), which then sees the
 * payload exactly as older kerasviz versions saved it; those unpacked outputs pass
 * through untouched. No DOM: `atob`, `DecompressionStream('deflate')` (the zlib
 * format, RFC 1950) and `TextDecoder`, in browsers and in Node >= 18 alike.
 */

import { MAX_UNPACKED_BYTES, PACKED_ENCODING, PACKED_VERSION } from './contract';

// The envelope's constants are shared with Python (kerasviz/schema/contract.json).
export { MAX_UNPACKED_BYTES, PACKED_ENCODING, PACKED_VERSION } from './contract';

/** A packed envelope, as far as its shape goes (see {@link isPacked}). */
export interface IPackedEnvelope {
  kerasviz_packed: unknown;
  encoding?: unknown;
  selected?: unknown;
  overlay?: unknown;
  data?: unknown;
}

/**
 * The outcome of {@link unpackData}: the data to validate (the payload), or why it
 * cannot be read. `reason` is a sentence to follow "cannot show this graph: ".
 */
export type UnpackResult = { ok: true; data: unknown } | { ok: false; reason: string };

/** Is `data` a packed envelope (any version), rather than a payload? */
export function isPacked(data: unknown): data is IPackedEnvelope {
  return isRecord(data) && 'kerasviz_packed' in data;
}

/**
 * If `data` is a packed envelope (or its JSON text), its payload; anything else
 * comes back as it is, for validation to accept (an unpacked payload saved by an
 * older kerasviz) or refuse with its own message. A view envelope's `selected`
 * goes into the payload's `options.selected`. `limit`: the most bytes to inflate.
 */
export async function unpackData(
  data: unknown,
  limit: number = MAX_UNPACKED_BYTES
): Promise<UnpackResult> {
  const envelope = packedEnvelope(data);
  if (envelope === null) {
    return { ok: true, data };
  }
  if (envelope.kerasviz_packed !== PACKED_VERSION) {
    return refuse(
      `this output is packed with version ${short(envelope.kerasviz_packed)}, but ` +
        `this renderer reads version ${PACKED_VERSION}. Upgrade kerasviz so that the ` +
        'Python package and the front end match, then re-run this cell.'
    );
  }
  if (envelope.encoding !== PACKED_ENCODING) {
    return refuse(
      `this output's data is encoded as ${short(envelope.encoding)}; this renderer ` +
        `reads "${PACKED_ENCODING}". Re-run this cell to save it again.`
    );
  }
  if (typeof envelope.data !== 'string') {
    return refuse(
      'this output\'s packed data is missing ("data" should be a base64 string). ' +
        'Re-run this cell to save it again.'
    );
  }
  let payload: unknown;
  try {
    payload = await decode(envelope.data, limit);
  } catch (error) {
    return refuse(
      `this output's packed data is corrupt: ${error instanceof Corrupt ? error.message : String(error)}. ` +
        'The notebook file was damaged or edited; re-run this cell to save it again.'
    );
  }
  if (
    !isRecord(payload) ||
    !(
      'kerasviz_view' in payload ||
      'kerasviz_comparison' in payload ||
      'kerasviz_replay' in payload
    )
  ) {
    return refuse(
      "this output's packed data holds no kerasviz view, comparison or replay payload. " +
        'Re-run this cell to save it again.'
    );
  }
  const selected = envelope.selected;
  if ('kerasviz_view' in payload && (selected === null || typeof selected === 'string')) {
    const options = isRecord(payload.options) ? payload.options : {};
    payload.options = { ...options, selected };
  }
  const overlay = envelope.overlay;
  if (
    'kerasviz_view' in payload &&
    isRecord(payload.overlays) &&
    (overlay === null || typeof overlay === 'string')
  ) {
    payload.overlays = { ...payload.overlays, selected: overlay };
  }
  return { ok: true, data: payload };
}

/**
 * The MIME data to save once the user selected `id` in the live widget, or null
 * when `data` already says so. A packed envelope gets a new `selected` (its
 * `data` string is kept as it is); an unpacked payload a new `options.selected`.
 */
export function withSelection(data: unknown, id: string | null): Record<string, unknown> | null {
  if (isPacked(data)) {
    return (data.selected ?? null) === id ? null : { ...data, selected: id };
  }
  if (!isRecord(data)) {
    return null;
  }
  const options = isRecord(data.options) ? data.options : {};
  if ((options.selected ?? null) === id) {
    return null;
  }
  return { ...data, options: { ...options, selected: id } };
}

/**
 * The MIME data to save once the user chose the overlay `key` in the live widget,
 * or null when `data` already says so (or has no overlays). A packed envelope gets
 * a new `overlay`; an unpacked payload a new `overlays.selected`.
 */
export function withOverlay(data: unknown, key: string | null): Record<string, unknown> | null {
  if (isPacked(data)) {
    return (data.overlay ?? null) === key ? null : { ...data, overlay: key };
  }
  if (!isRecord(data) || !isRecord(data.overlays)) {
    return null;
  }
  if ((data.overlays.selected ?? null) === key) {
    return null;
  }
  return { ...data, overlays: { ...data.overlays, selected: key } };
}

/** The envelope in `data` (an object, or its JSON text), else null. */
function packedEnvelope(data: unknown): IPackedEnvelope | null {
  if (typeof data === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return null; // validation says "not JSON"
    }
    return isPacked(parsed) ? parsed : null;
  }
  return isPacked(data) ? data : null;
}

/** A reason why packed data cannot be read (the message is for the user). */
class Corrupt extends Error {}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** base64 → zlib inflate (bounded) → UTF-8 → JSON. Throws {@link Corrupt}. */
async function decode(text: string, limit: number): Promise<unknown> {
  if (!BASE64.test(text) || text.length % 4 !== 0) {
    throw new Corrupt('it is not base64');
  }
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new Corrupt('it is not base64');
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  const raw = await inflate(bytes, limit);
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new Corrupt('the inflated data is not UTF-8 text');
  }
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new Corrupt('the inflated text is not JSON');
  }
}

/** Inflate zlib data, refusing to produce more than `limit` bytes. */
async function inflate(bytes: Uint8Array, limit: number): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') {
    throw new Error(
      'this browser cannot decompress (no DecompressionStream); open the notebook ' +
        'in a current browser'
    );
  }
  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // Written while read below; a failure to inflate surfaces on both sides.
  const written = writer.write(bytes as Uint8Array<ArrayBuffer>).then(() => writer.close());
  written.catch(() => undefined);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw new Corrupt(`it inflates to more than ${limit.toLocaleString('en-US')} bytes`);
      }
      chunks.push(value);
    }
    await written;
  } catch (error) {
    if (error instanceof Corrupt) {
      throw error;
    }
    throw new Corrupt(`it is not zlib data, or it is truncated (${errorText(error)})`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function refuse(reason: string): UnpackResult {
  return { ok: false, reason };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short, printable rendering of user data for a message. */
function short(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'nothing' : String(JSON.stringify(value));
  } catch {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
