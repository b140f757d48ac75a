/**
 * The argument checks of buffer allocation and views, shared by both backends' allocators
 * (bindings/memory.ts and src/backend/js/buffers.ts), so both refuse the same lengths with the same
 * message.
 */

/** Largest single buffer either backend allocates: 2^30 elements (4 GiB is wasm32's whole address space). */
export const MAX_ELEMENTS = 2 ** 30 - 16;

/** The length asked of `what`(lengthOrValues) (f32 or i32): an integer from 1 to MAX_ELEMENTS, or a RangeError. */
export function checkLength(what: string, lengthOrValues: number | ArrayLike<number>): number {
  const length = typeof lengthOrValues === 'number' ? lengthOrValues : lengthOrValues.length;
  if (!Number.isInteger(length) || length < 1 || length > MAX_ELEMENTS) {
    throw new RangeError(`simdnet: ${what}(length) expects an integer from 1 to ${MAX_ELEMENTS}, got ${String(length)}`);
  }
  return length;
}

/** A RangeError unless view(offset, length) lies inside a buffer of `bufferLength` elements. */
export function checkView(bufferLength: number, offset: number, length: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 1 || offset + length > bufferLength) {
    throw new RangeError(`simdnet: view(offset=${offset}, length=${length}) is outside a buffer of ${bufferLength} elements`);
  }
}
