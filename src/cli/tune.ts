/** `simdnet tune`: placeholder wired once tune() lands (src/tune/). */
import type { ReadyBackend } from '../init.js';
import type { LoadedData } from './data-source.js';

export async function runTune(_o: Record<string, unknown>, _data: LoadedData, _backend: ReadyBackend): Promise<void> {
  throw new Error('simdnet tune: not wired yet');
}
