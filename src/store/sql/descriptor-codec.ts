/**
 * Descriptors are stored as little-endian float32 BLOBs (512 bytes for the
 * engine's 128 dimensions) so the bytes mean the same on every platform and
 * in every backend (SQLite BLOB, PostgreSQL BYTEA).
 */
import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

/** Encodes a descriptor as little-endian float32 bytes. */
export function encodeDescriptor(descriptor: Float32Array): Buffer {
  if (descriptor.length === 0) {
    throw new RangeError('encodeDescriptor: expected a non-empty Float32Array, got length 0');
  }
  if (LITTLE_ENDIAN) {
    // Copy: the caller's array may be a view on a larger, reused buffer.
    return Buffer.from(new Uint8Array(descriptor.buffer, descriptor.byteOffset, descriptor.byteLength));
  }
  const out = Buffer.allocUnsafe(descriptor.length * 4);
  for (let i = 0; i < descriptor.length; i++) out.writeFloatLE(descriptor[i], i * 4);
  return out;
}

/** Decodes bytes written by {@link encodeDescriptor}. */
export function decodeDescriptor(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength === 0 || bytes.byteLength % 4 !== 0) {
    throw new RangeError(`decodeDescriptor: expected a non-empty multiple of 4 bytes, got ${bytes.byteLength} bytes`);
  }
  const out = new Float32Array(bytes.byteLength / 4);
  if (LITTLE_ENDIAN) {
    // Copy rather than view: SQLite's buffers need not be 4-byte aligned.
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
