/** Buffers of the js backend: plain typed arrays (views share storage through subarray). */
import type { Allocator, F32Buffer, I32Buffer } from '../contract.js';
import { checkLength, checkView } from '../../../bindings/buffer-checks.js';

interface Block {
  freed: boolean;
}

abstract class JsBuffer<T extends Float32Array | Int32Array> {
  readonly backend = 'js' as const;
  readonly ptr = -1;
  constructor(
    protected readonly block: Block,
    protected readonly array: T,
    readonly isView: boolean,
  ) {}
  get length(): number {
    return this.array.length;
  }
  get disposed(): boolean {
    return this.block.freed;
  }
  get data(): T {
    if (this.block.freed) throw new Error(`simdnet: this ${this.array.length}-element buffer was freed; it can no longer be read`);
    return this.array;
  }
}

export class JsF32Buffer extends JsBuffer<Float32Array> implements F32Buffer {
  readonly dtype = 'f32' as const;
  view(offset: number, length: number): F32Buffer {
    checkView(this.length, offset, length);
    return new JsF32Buffer(this.block, this.array.subarray(offset, offset + length), true);
  }
}

export class JsI32Buffer extends JsBuffer<Int32Array> implements I32Buffer {
  readonly dtype = 'i32' as const;
  view(offset: number, length: number): I32Buffer {
    checkView(this.length, offset, length);
    return new JsI32Buffer(this.block, this.array.subarray(offset, offset + length), true);
  }
}

export class JsAllocator implements Allocator {
  private live = 0;

  f32(lengthOrValues: number | ArrayLike<number>): F32Buffer {
    const length = checkLength('f32', lengthOrValues);
    const array = new Float32Array(length);
    if (typeof lengthOrValues !== 'number') array.set(lengthOrValues);
    this.live++;
    return new JsF32Buffer({ freed: false }, array, false);
  }

  i32(lengthOrValues: number | ArrayLike<number>): I32Buffer {
    const length = checkLength('i32', lengthOrValues);
    const array = new Int32Array(length);
    if (typeof lengthOrValues !== 'number') array.set(lengthOrValues);
    this.live++;
    return new JsI32Buffer({ freed: false }, array, false);
  }

  free(buffer: F32Buffer | I32Buffer): void {
    if (!(buffer instanceof JsF32Buffer || buffer instanceof JsI32Buffer)) {
      throw new TypeError(`simdnet: free(buffer) expects a buffer of the js backend, got one of '${(buffer as F32Buffer).backend}'`);
    }
    const block = (buffer as unknown as { block: Block }).block;
    if (block.freed) throw new Error('simdnet: free(buffer): this buffer was already freed');
    if (buffer.isView) throw new Error('simdnet: free(buffer): a view cannot be freed; free the buffer it was made from');
    block.freed = true;
    this.live--;
  }

  get liveBuffers(): number {
    return this.live;
  }
}
