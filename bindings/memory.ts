/**
 * Owns the wasm linear memory: allocates f32/i32 buffers in it, frees them, and is the one place that
 * makes typed-array views of it.
 *
 * A `WebAssembly.Memory` that grows detaches its old ArrayBuffer, and every view of the old buffer
 * silently becomes empty (length 0). So no view is kept across a possible grow: each buffer's `.data`
 * checks the memory's current ArrayBuffer and remakes its view when it changed. The check is one
 * pointer comparison, so kernels and the training loop read `.data` freely with no copies.
 */
import type { Allocator, F32Buffer, I32Buffer } from './buffers.js';
import type { WasmExports } from './exports.js';
import { checkLength, checkView } from './buffer-checks.js';

/** A block returned by alloc(); views share its `freed` flag so a view of a freed block is dead too. */
interface Block {
  /** Unsigned: wasm32 addresses go up to 4 GiB, and alloc's i32 result is negative past 2 GiB. */
  readonly ptr: number;
  readonly bytes: number;
  freed: boolean;
}

/** wasm32 addresses 4 GiB (65 536 pages of 64 KiB); the module declares no lower maximum. */
export const WASM_MAX_BYTES = 2 ** 32;
/**
 * The largest single block: AssemblyScript's TLSF allocator refuses blocks of 1 GiB or more (its
 * BLOCK_MAXSIZE, 2^30 minus a 4-byte header, with a trap); one 64 KiB page less keeps clear of the
 * rounding it does near that size.
 */
export const MAX_BLOCK_BYTES = 2 ** 30 - 2 ** 16;

const MiB = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

abstract class WasmBuffer<T extends Float32Array | Int32Array> {
  readonly backend = 'wasm' as const;
  private cached: T | null = null;

  constructor(
    protected readonly memory: WebAssembly.Memory,
    protected readonly block: Block,
    readonly ptr: number,
    readonly length: number,
  ) {}

  protected abstract makeView(buffer: ArrayBuffer): T;

  get disposed(): boolean {
    return this.block.freed;
  }

  get data(): T {
    if (this.block.freed) throw new Error(`simdnet: this ${this.length}-element buffer was freed; it can no longer be read`);
    const view = this.cached;
    // After memory.grow a non-shared memory's old ArrayBuffer is detached, and a view of a detached
    // buffer has length 0: then the view is remade on the current one. (A shared memory's buffer is
    // never detached; an old view stays valid for the bytes it covers.) This test instead of reading
    // memory.buffer, which took about 0.1 µs a call (issue 12, measured beside a one-row predict).
    if (view !== null && view.length !== 0) return view;
    return (this.cached = this.makeView(this.memory.buffer as ArrayBuffer));
  }
}

export class WasmF32Buffer extends WasmBuffer<Float32Array> implements F32Buffer {
  readonly dtype = 'f32' as const;
  protected makeView(buffer: ArrayBuffer): Float32Array {
    return new Float32Array(buffer, this.ptr, this.length);
  }
  view(offset: number, length: number): F32Buffer {
    checkView(this.length, offset, length);
    return new WasmF32Buffer(this.memory, this.block, this.ptr + offset * 4, length);
  }
}

export class WasmI32Buffer extends WasmBuffer<Int32Array> implements I32Buffer {
  readonly dtype = 'i32' as const;
  protected makeView(buffer: ArrayBuffer): Int32Array {
    return new Int32Array(buffer, this.ptr, this.length);
  }
  view(offset: number, length: number): I32Buffer {
    checkView(this.length, offset, length);
    return new WasmI32Buffer(this.memory, this.block, this.ptr + offset * 4, length);
  }
}

export class WasmAllocator implements Allocator {
  private readonly live = new Set<Block>();
  /** Bytes in live blocks (what the messages of a failed allocation report). */
  private inUse = 0;

  constructor(private readonly wasm: WasmExports) {}

  private allocBlock(what: string, length: number): Block {
    // Round up to whole 16-byte vectors, so f32x4 kernels may load a full vector at a row's end.
    const bytes = Math.ceil(length / 4) * 16;
    const refuse = (why: string, cause?: unknown): never => {
      throw new RangeError(
        `simdnet: out of wasm memory: ${what}(${length}) asks for ${bytes} bytes (${MiB(bytes)}); ${why}. ` +
          `In use: ${this.inUse} bytes (${MiB(this.inUse)}) in ${this.live.size} buffers, linear memory ${MiB(this.memoryBytes)}, ` +
          `limit ${MiB(WASM_MAX_BYTES)} (wasm32; the engine may allow less)`,
        cause === undefined ? undefined : { cause },
      );
    };
    if (bytes > MAX_BLOCK_BYTES) refuse(`one wasm buffer holds at most ${MAX_BLOCK_BYTES} bytes (${MiB(MAX_BLOCK_BYTES)})`);
    if (this.inUse + bytes > WASM_MAX_BYTES) refuse('that is more than the limit with what is in use');
    let ptr = 0;
    try {
      // The allocator's i32 result is negative for addresses past 2 GiB: read it as unsigned.
      ptr = this.wasm.alloc(bytes) >>> 0;
    } catch (cause) {
      // TLSF traps (unreachable) when memory.grow fails: the engine has no more memory to give.
      refuse('the engine could not grow wasm memory that far', cause);
    }
    // TLSF hands out stale memory; f32(n) promises zeros.
    new Uint8Array(this.wasm.memory.buffer, ptr, bytes).fill(0);
    const block: Block = { ptr: ptr, bytes, freed: false };
    this.live.add(block);
    this.inUse += bytes;
    return block;
  }

  f32(lengthOrValues: number | ArrayLike<number>): F32Buffer {
    const length = checkLength('f32', lengthOrValues);
    const block = this.allocBlock('f32', length);
    const buffer = new WasmF32Buffer(this.wasm.memory, block, block.ptr, length);
    if (typeof lengthOrValues !== 'number') buffer.data.set(lengthOrValues);
    return buffer;
  }

  i32(lengthOrValues: number | ArrayLike<number>): I32Buffer {
    const length = checkLength('i32', lengthOrValues);
    const block = this.allocBlock('i32', length);
    const buffer = new WasmI32Buffer(this.wasm.memory, block, block.ptr, length);
    if (typeof lengthOrValues !== 'number') buffer.data.set(lengthOrValues);
    return buffer;
  }

  free(buffer: F32Buffer | I32Buffer): void {
    if (!(buffer instanceof WasmF32Buffer || buffer instanceof WasmI32Buffer)) {
      throw new TypeError(`simdnet: free(buffer) expects a buffer of the wasm backend, got one of '${(buffer as F32Buffer).backend}'`);
    }
    const block = (buffer as unknown as { block: Block }).block;
    if (block.freed) throw new Error('simdnet: free(buffer): this buffer was already freed');
    if (buffer.ptr !== block.ptr) throw new Error('simdnet: free(buffer): a view cannot be freed; free the buffer it was made from');
    block.freed = true;
    this.live.delete(block);
    this.inUse -= block.bytes;
    this.wasm.free(block.ptr);
  }

  /** Number of live (allocated, not freed) buffers: for tests that check nothing leaks. */
  get liveBuffers(): number {
    return this.live.size;
  }

  /** Current size of linear memory in bytes. */
  get memoryBytes(): number {
    return this.wasm.memory.buffer.byteLength;
  }
}
