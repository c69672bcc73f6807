import type { z } from 'zod';

/**
 * Unicode bidirectional controls: invisible characters that reorder the text
 * around them (the "Trojan Source" trick, CVE-2021-42574). In a reference, an
 * account name or a CSV cell they make "Invoice 1002" display as something
 * else, in the UI and in every spreadsheet that opens an export. PayDesk
 * refuses them wherever text enters the ledger, naming the character so the
 * operator can find what they cannot see.
 */
export const bidiControlNames: ReadonlyMap<number, string> = new Map([
  [0x061c, 'ARABIC LETTER MARK'],
  [0x200e, 'LEFT-TO-RIGHT MARK'],
  [0x200f, 'RIGHT-TO-LEFT MARK'],
  [0x202a, 'LEFT-TO-RIGHT EMBEDDING'],
  [0x202b, 'RIGHT-TO-LEFT EMBEDDING'],
  [0x202c, 'POP DIRECTIONAL FORMATTING'],
  [0x202d, 'LEFT-TO-RIGHT OVERRIDE'],
  [0x202e, 'RIGHT-TO-LEFT OVERRIDE'],
  [0x2066, 'LEFT-TO-RIGHT ISOLATE'],
  [0x2067, 'RIGHT-TO-LEFT ISOLATE'],
  [0x2068, 'FIRST STRONG ISOLATE'],
  [0x2069, 'POP DIRECTIONAL ISOLATE'],
]);

const bidiControlPattern = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** "U+202E RIGHT-TO-LEFT OVERRIDE" for the first bidi control in `text`, or null when there is none. */
export function firstBidiControl(text: string): string | null {
  const match = bidiControlPattern.exec(text);
  if (match === null) return null;
  const codePoint = match[0].codePointAt(0)!;
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')} ${bidiControlNames.get(codePoint)}`;
}

/** The sentence for a field holding a bidi control, or null when it holds none. `label` reads "The reference". */
export function bidiControlProblem(label: string, text: string): string | null {
  const control = firstBidiControl(text);
  return control === null ? null : `${label} contains ${control}, which can disguise text; remove it.`;
}

/** A zod check for the same, to put first on a string schema so its sentence is the one shown. */
export function refuseBidiControls(label: string) {
  return (value: string, context: z.RefinementCtx) => {
    const problem = bidiControlProblem(label, value);
    if (problem !== null) context.addIssue({ code: 'custom', message: problem });
  };
}

/** The text with each bidi control shown as <U+202E>, for echoing a refused value without letting it reorder the message. */
export function revealBidiControls(text: string): string {
  return text.replace(new RegExp(bidiControlPattern.source, 'g'), (control) => `<U+${control.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`);
}
