/** init() refuses options it does not know, as every other options object does. */
import { describe, expect, it } from 'vitest';
import { init } from '../../src/index.js';

describe('init options', () => {
  it('refuses an unknown option, listing the known ones', async () => {
    await expect(init({ thread: 2 } as never)).rejects.toThrow("simdnet init: unknown option 'thread'; known options: backend, warmup");
    await expect(init({ backend: 'js', warmUp: false } as never)).rejects.toThrow(/unknown option 'warmUp'/);
  });

  it('refuses options that are not an object and a warmup that is not a boolean', async () => {
    await expect(init(5 as never)).rejects.toThrow('simdnet init: options must be an object, got number');
    await expect(init({ backend: 'js', warmup: 'no' } as never)).rejects.toThrow('simdnet init: warmup must be true or false, got string');
  });

  it('still takes the known ones', async () => {
    const b = await init({ backend: 'js', warmup: false });
    expect(b.name).toBe('js');
  });
});
