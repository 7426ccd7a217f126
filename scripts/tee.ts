import { Writable } from 'node:stream';

/**
 * A stream that hands every chunk to `target` at once, in the order written, and to `record`.
 *
 * Why not `target.write(chunk, done)`: a Writable passes its next chunk on only after the previous
 * one's callback, and a piped stdout calls back later, so the chunks a command wrote would queue
 * inside the tee while text written straight to `target` overtook them (the demo's folder mode
 * printed each command's summary under the next step's heading).
 */
export function teeWritable(target: NodeJS.WritableStream, record: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      record(chunk.toString());
      target.write(chunk);
      done();
    },
  });
}
