/** What a benchmark case reports: named figures with units, and the target each should meet. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** `min`: the value should be at least the target; `max`: at most. */
  target?: { kind: 'min' | 'max'; value: number };
}

export interface BenchOptions {
  /** Scales the big inputs down for a quick run. */
  rows: number;
  runs: number;
  workFolder: string;
  seed: number;
}

export interface BenchCase {
  name: string;
  /** Runs once: returns the figures of that run. The harness warms up, repeats and takes medians. */
  run(options: BenchOptions): Promise<Figure[]>;
  /** Some cases set up a large input once and measure it several times inside `run`; they ask not to be repeated. */
  repeat?: boolean;
}

/** Thrown by a case that cannot run here (no PostgreSQL configured): the table shows the reason instead of figures. */
export class BenchSkipped extends Error {}

export function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The value at quantile q of a sorted array (nearest rank). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

export function elapsedMs(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e6;
}

export function verdict(figure: Figure): string {
  if (figure.target === undefined) return '';
  const met = figure.target.kind === 'min' ? figure.value >= figure.target.value : figure.value <= figure.target.value;
  return `${met ? 'met' : 'MISSED'} (${figure.target.kind === 'min' ? '>=' : '<='} ${figure.target.value})`;
}
