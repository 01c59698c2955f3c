/**
 * Buffers that are kept for a long time should own exactly their bytes. Node hands out
 * small Buffers (Buffer.from, Buffer.allocUnsafe and Buffer.concat below 4 KiB) as slices of
 * a shared 8 KiB pool, and a decoder's subarray is a slice of the frame it came from: a
 * slice keeps all of its ArrayBuffer alive. A znode holding 20 bytes of data sliced from the
 * pool kept 8 KiB, so the coordinator's external memory grew by about 8 KiB per znode a client
 * created, where a fresh process loading the same znodes from disk used a few bytes each.
 */

/** `bytes` itself when it owns its whole ArrayBuffer, else an exactly sized unpooled copy. */
export function ownedBytes(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) return bytes;
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}
