/**
 * The `NODE_OPTIONS` of the detector's functions, from their memory size.
 *
 * - `--enable-source-maps`: the bundle ships a source map; without it stack traces point into
 *   minified code.
 * - `--max-old-space-size` at half the function's memory: a run keeps little alive (about 30 MB of
 *   heap after a full collection, the same for 100 and 1,000 pools: `npm run bench`), but V8 sizes
 *   its heap by what the machine could give it and, left alone, lets the garbage of each pool's
 *   reads pile up well past that before collecting it. Told its budget, it collects sooner, and a
 *   run's peak memory stays flat with the account (issue 18). The other half is for the code, the
 *   young generation and the network buffers.
 */
export function functionNodeOptions(memoryMb: number): string {
  return `--enable-source-maps --max-old-space-size=${Math.floor(memoryMb / 2)}`;
}
