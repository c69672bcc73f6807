/**
 * How metrics read on screen and in the CLI, one way for both, so a figure on
 * a tile can be checked against the engine's number by formatting it the same way.
 */

const dash = '–';
/** Decimals shown: percentages and latencies in ms or s to two places, rates and changes to one. */
const fineDecimals = 2;
const coarseDecimals = 1;

export function formatCount(count: number | null): string {
  return count === null ? dash : Math.round(count).toLocaleString('en-US');
}

/** A fraction from 0 to 1 as a percentage with two decimals: 0.975 is "97.50 %". */
export function formatPercent(fraction: number | null): string {
  return fraction === null ? dash : `${(fraction * 100).toFixed(fineDecimals)} %`;
}

/** Payments per second with one decimal. */
export function formatRate(paymentsPerSecond: number | null): string {
  if (paymentsPerSecond === null) return dash;
  const grouped = paymentsPerSecond.toLocaleString('en-US', { minimumFractionDigits: coarseDecimals, maximumFractionDigits: coarseDecimals });
  return `${grouped}/s`;
}

/** A latency in the unit that reads best: "850 µs", "1.25 ms", "2.40 s". */
export function formatLatency(latencyUs: number | null): string {
  if (latencyUs === null) return dash;
  if (latencyUs < 1_000) return `${Math.round(latencyUs)} µs`;
  if (latencyUs < 1_000_000) return `${(latencyUs / 1_000).toFixed(fineDecimals)} ms`;
  return `${(latencyUs / 1_000_000).toFixed(fineDecimals)} s`;
}

/** A relative change with its sign: 0.123 is "+12.3 %"; null (nothing to compare with) reads "no earlier data". */
export function formatChange(change: number | null): string {
  if (change === null) return 'no earlier data';
  const percent = change * 100;
  return `${percent >= 0 ? '+' : '−'}${Math.abs(percent).toFixed(coarseDecimals)} %`;
}
