/**
 * docs/posture.md's table of controls is the code's table (lambda/surfaces/posture-controls.ts):
 * every control has its row with its twins, source link, title and severity, and no row is extra.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { POSTURE_CONTROLS } from '../../lambda/surfaces/posture-controls.js';

const PAGE = readFileSync(fileURLToPath(new URL('../../docs/posture.md', import.meta.url)), 'utf-8');
const ROWS = PAGE.split('\n').filter((line) => /^\| `(Cognito\.\d+|cognito_[a-z0-9_]+)`/.test(line));

describe('docs/posture.md', () => {
  it('has one row per control, in the table order', () => {
    expect(ROWS.map((row) => /^\| `([^`]+)`/.exec(row)?.[1])).toEqual(POSTURE_CONTROLS.map((c) => c.id));
  });

  it.each(POSTURE_CONTROLS.map((c) => [c.id, c] as const))(
    '%s: its row names its twins, source, title and severity',
    (_id, control) => {
      const row = ROWS.find((r) => r.startsWith(`| \`${control.id}\``)) ?? '';
      for (const twin of control.alsoKnownAs ?? []) expect(row).toContain(`\`${twin}\``);
      expect(row).toContain(`[${control.source}](${control.url})`);
      expect(row).toContain(`| ${control.title} | ${control.severity} |`);
    },
  );
});
