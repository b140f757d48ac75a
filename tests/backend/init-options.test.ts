/** init() refuses options it does not know, as every other options object does. */
import { describe, expect, it } from 'vitest';
import { init } from '../../src/index.js';

describe('init options', () => {
  it('refuses an unknown option, listing the known ones', async () => {
    await expect(init({ thread: 2 } as never)).rejects.toThrow("simdnet init: unknown option 'thread'; known options: backend, warmup, threads");
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

describe('init threads option', () => {
  it('refuses a thread count that is not an integer from 1 to 256, naming it', async () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity, 257]) {
      await expect(init({ threads: bad })).rejects.toThrow(`simdnet init: threads must be an integer from 1 to 256, got ${String(bad)}`);
    }
    await expect(init({ threads: '2' as never })).rejects.toThrow('simdnet init: threads must be an integer from 1 to 256, got string');
  });

  it('threads: 1 is one thread; the default in Node is the cores, capped at 8; js ignores threads', async () => {
    const { availableParallelism } = await import('node:os');
    const one = await init({ threads: 1 });
    expect(one.threads).toBe(1);
    one.dispose();
    const dflt = await init();
    try {
      expect(dflt.threads).toBe(Math.min(8, availableParallelism()));
    } finally {
      dflt.dispose();
    }
    const js = await init({ backend: 'js', threads: 4 });
    expect(js.threads).toBe(1);
  });
});
