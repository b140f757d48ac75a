/**
 * Standard base64 (RFC 4648, with padding) of bytes and back: localStorage holds strings only, so a
 * model saved to 'localstorage://name' is kept as the base64 of its bytes (4/3 of their size).
 * btoa/atob exist in browsers, workers and Node ≥ 16; they work on "binary strings" (one char per
 * byte), built here in chunks so that a large model does not overflow the argument list of apply().
 */

const CHUNK = 0x8000;

/** The base64 text of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return btoa(binary);
}

/** The bytes of base64 `text`; `what` names the source in the error when the text is not base64. */
export function fromBase64(text: string, what: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new Error(`simdnet loadModel: ${what} is not base64 text (was it written by model.save()?)`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
