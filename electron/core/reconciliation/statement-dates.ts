import type { DateOrder } from '../../../shared/reconciliation';

/**
 * Statement dates: ISO (2024-03-04, also with a time), compact (20240304),
 * and the separated forms 04.03.2024, 04/03/2024, 03/04/2024. Whether a
 * separated date is day-first or month-first is decided by the file itself
 * when one of its dates settles it (a part above 12), by convention for
 * dotted dates (always day-first), and otherwise by the operator: an
 * ambiguous file is refused with the question, never guessed.
 */

export const msPerDay = 86_400_000;

const isoPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?$/;
const compactPattern = /^(\d{4})(\d{2})(\d{2})$/;
const separatedPattern = /^(\d{1,2})([./\-])(\d{1,2})\2(\d{4}|\d{2})$/;

export type ResolvedDateOrder = 'day-first' | 'month-first';

export type DateOrderDecision = { ok: true; order: ResolvedDateOrder } | { ok: false; message: string };

interface DatedText {
  text: string;
  line: number;
}

/** Decides the order of day and month for a whole file, from its dates and the operator's choice. */
export function decideDateOrder(dates: readonly DatedText[], requested: DateOrder): DateOrderDecision {
  if (requested !== 'auto') return { ok: true, order: requested };
  let dayFirstEvidence: DatedText | null = null;
  let monthFirstEvidence: DatedText | null = null;
  let ambiguous: DatedText | null = null;
  let dottedOnly = true;
  for (const date of dates) {
    const match = separatedPattern.exec(date.text.trim());
    if (match === null) continue;
    if (match[2] !== '.') dottedOnly = false;
    const first = Number(match[1]);
    const second = Number(match[3]);
    if (first > 12) dayFirstEvidence ??= date;
    else if (second > 12) monthFirstEvidence ??= date;
    else if (first !== second) ambiguous ??= date;
  }
  if (dayFirstEvidence !== null && monthFirstEvidence !== null) {
    return {
      ok: false,
      message: `The dates mix day-first (${dayFirstEvidence.text} on line ${dayFirstEvidence.line}) and month-first ` +
        `(${monthFirstEvidence.text} on line ${monthFirstEvidence.line}) forms; fix the file.`,
    };
  }
  if (dayFirstEvidence !== null) return { ok: true, order: 'day-first' };
  if (monthFirstEvidence !== null) return { ok: true, order: 'month-first' };
  if (ambiguous === null || dottedOnly) return { ok: true, order: 'day-first' };
  return {
    ok: false,
    message: `The dates are ambiguous: ${ambiguous.text} on line ${ambiguous.line} may be day-first or month-first; choose the date order.`,
  };
}

/** The ISO date (YYYY-MM-DD) a statement date stands for, or null when it is not a real date in a known form. */
export function parseStatementDate(text: string, order: ResolvedDateOrder): string | null {
  const trimmed = text.trim();
  const iso = isoPattern.exec(trimmed) ?? compactPattern.exec(trimmed);
  if (iso !== null) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const separated = separatedPattern.exec(trimmed);
  if (separated === null) return null;
  const first = Number(separated[1]);
  const second = Number(separated[3]);
  const year = separated[4].length === 2 ? 2000 + Number(separated[4]) : Number(separated[4]);
  return order === 'day-first' ? isoDate(year, second, first) : isoDate(year, first, second);
}

function isoDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1900 || year > 9999) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** Days since 1970-01-01 for an ISO date: the unit the date windows count in. */
export function dayNumber(isoText: string): number {
  return Math.floor(Date.parse(`${isoText}T00:00:00Z`) / msPerDay);
}

export function isoFromMs(atMs: number): string {
  return new Date(atMs).toISOString().slice(0, 10);
}

export function isValidIsoDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && parseStatementDate(text, 'day-first') === text;
}
