import type { Failure } from './contract';
/**
 * JSON encoding for the WebSocket transport that keeps typed arrays compact:
 * a Float32Array travels as {"$f32": base64}. Electron IPC needs none of this
 * because structured clone carries typed arrays as they are.
 */

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Serialise a message. */
export function encode(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (v instanceof Float32Array) return { $f32: toBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
    return v;
  });
}

/** Parse a message; throws SyntaxError on bad JSON. */
export function decode(text: string): unknown {
  return JSON.parse(text, (_k, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof v.$f32 === 'string' && Object.keys(v).length === 1) {
      const bytes = fromBase64(v.$f32);
      if (bytes.length % 4 !== 0) throw new SyntaxError('a $f32 value does not hold whole float32 numbers');
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    }
    return v;
  });
}

/** Renderer → server. */
export interface WireRequest {
  id: number;
  channel: string;
  payload: unknown;
}

/** Server → renderer: a reply to a request, or an event. */
export type WireMessage = { id: number; result: { ok: true; value: unknown } | Failure } | { event: string; payload: unknown };
