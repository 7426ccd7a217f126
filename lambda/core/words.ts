/** Counting words in messages: one place, used by every renderer. */

/** `s` after a count other than one. */
export function plural(n: number): string {
  return n === 1 ? '' : 's';
}

/** `1 pool`, `2 pools`: a count with its noun in the right number. */
export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${plural(n)}`;
}
