import { describe, expect, it } from 'vitest';
import { teeWritable } from '../../scripts/tee.js';

/** Like stdout on a pipe: takes each chunk in call order, and acknowledges it only on a later turn. */
function slowSink(): { sink: NodeJS.WritableStream; text: () => string } {
  let text = '';
  const sink = {
    write(chunk: Buffer | string, done?: () => void): boolean {
      text += chunk.toString();
      if (done) setImmediate(done);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { sink, text: () => text };
}

describe('teeWritable', () => {
  it('passes chunks on in order, before text written straight to the target afterwards', () => {
    const { sink, text } = slowSink();
    const recorded: string[] = [];
    const tee = teeWritable(sink, (chunk) => recorded.push(chunk));

    tee.write('summary line 1\n');
    tee.write('summary line 2\n');
    sink.write('=== next step\n');

    expect(text()).toBe('summary line 1\nsummary line 2\n=== next step\n');
    expect(recorded).toEqual(['summary line 1\n', 'summary line 2\n']);
  });
});
