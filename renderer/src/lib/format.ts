import { formatMinorGrouped } from '../../../shared/money';

/** Local date and time as an operator reads it in a table: 2025-03-14 09:26:53. */
export function formatTimestamp(timestampMs: number): string {
  const date = new Date(timestampMs);
  const day = [date.getFullYear(), date.getMonth() + 1, date.getDate()].map((part) => pad(part)).join('-');
  const time = [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => pad(part)).join(':');
  return `${day} ${time}`;
}

function pad(part: number): string {
  return part.toString().padStart(2, '0');
}

/**
 * Payment latency in milliseconds with three significant digits (0.412 ms,
 * 3.21 ms, 12.3 ms): enough to compare payments without false precision.
 * Latency is a duration, not money, so dividing is fine here.
 */
export function formatPlt(pltUs: number | null): string {
  if (pltUs === null) return '—';
  const pltMs = pltUs / 1000;
  if (pltMs >= 1000) return `${Math.round(pltMs).toLocaleString('en-US')} ms`;
  if (pltMs === 0) return '0 ms';
  return `${Number(pltMs.toPrecision(3))} ms`;
}

/** A statement amount with its direction always visible: +12.50 or -12.50. */
export function formatSignedMinor(amountMinor: number, currency: string): string {
  const grouped = formatMinorGrouped(amountMinor, currency);
  return amountMinor > 0 ? `+${grouped}` : grouped;
}

/** The first millisecond of a local calendar day picked in a date input ("2025-03-14"). */
export function startOfDayMs(dateText: string): number | undefined {
  const parts = parseDateInput(dateText);
  if (parts === undefined) return undefined;
  return new Date(parts.year, parts.month - 1, parts.day).getTime();
}

/** The last millisecond of a local calendar day, so "to 14 March" includes all of 14 March. */
export function endOfDayMs(dateText: string): number | undefined {
  const parts = parseDateInput(dateText);
  if (parts === undefined) return undefined;
  return new Date(parts.year, parts.month - 1, parts.day + 1).getTime() - 1;
}

function parseDateInput(dateText: string): { year: number; month: number; day: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateText);
  if (match === null) return undefined;
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

/** A payment outcome's status as the operator reads it; pending means held for four-eyes approval. */
export function statusLabel(status: 'accepted' | 'rejected' | 'pending'): string {
  return status === 'accepted' ? 'Accepted' : status === 'pending' ? 'Waiting for approval' : 'Rejected';
}
