import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatChange, formatCount, formatLatency, formatPercent, formatRate } from '../../shared/metrics-format';
import { metricsRanges, metricsTraffic, type MetricsDashboard, type MetricsRange, type MetricsTraffic } from '../../shared/metrics';
import { historyPaymentsMax, seedDemoHistory } from '../core/demo/history';
import { dashboardMetrics } from '../core/metrics/dashboard';
import { requireDemoLedger, writeDemoFiles } from './demo';
import { exitCodes, optionalString, requireString, UsageError, countOf, type Command } from './command';

/** `paydesk metrics --time` runs the dashboard query this many times and reports the median and the slowest. */
const timingRuns = 20;
const dayMs = 24 * 60 * 60_000;

function wholeNumber(values: Record<string, unknown>, key: string, fallback: number, max: number): number {
  const text = optionalString(values, key);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0 || value > max) throw new UsageError(`--${key} is a whole number from 0 to ${max}`);
  return value;
}

function choice<T extends string>(values: Record<string, unknown>, key: string, allowed: readonly T[], fallback: T): T {
  const text = optionalString(values, key) ?? fallback;
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`--${key} is one of ${allowed.join(', ')}`);
  return text as T;
}

/** The same four figures as the dashboard's headline tiles. */
export function headlineLines(metrics: MetricsDashboard): string[] {
  const { headline, totals } = metrics;
  const line = (label: string, value: string, change: number | null, against: string) =>
    `${label.padEnd(16)}${value.padStart(12)}   ${formatChange(change)} vs ${against}`;
  const plt = totals.plt;
  return [
    line('Payments today', formatCount(headline.paymentsToday.value), headline.paymentsToday.change, 'yesterday'),
    line(`PSR (${metrics.range})`, formatPercent(headline.successRate.value), headline.successRate.change, 'previous period'),
    line('PT now', formatRate(headline.throughputNow.value), headline.throughputNow.change, 'the 10 s before'),
    line(`PLT p99 (${metrics.range})`, formatLatency(headline.pltP99Us.value), headline.pltP99Us.change, 'previous period'),
    `Over the range: ${countOf(formatCount(totals.total), 'payment')}, ${formatCount(totals.failed)} failed; ` +
      `PLT p50 ${formatLatency(plt.p50Us)}, p95 ${formatLatency(plt.p95Us)}, max ${formatLatency(plt.maxUs)}`,
  ];
}

export const metricsCommand: Command = {
  readOnly: true,
  options: {
    db: { type: 'string' }, json: { type: 'boolean' }, range: { type: 'string' }, traffic: { type: 'string' }, time: { type: 'boolean' },
  },
  async run({ engine, values, out }) {
    const ranges = metricsRanges.filter((name) => name !== 'custom') as Exclude<MetricsRange, 'custom'>[];
    const range = choice(values, 'range', ranges, '24h');
    const traffic = choice<MetricsTraffic>(values, 'traffic', metricsTraffic, 'all');
    engine.store.flushMetrics();
    const query = () => dashboardMetrics(engine.store.database, { range, traffic }, Date.now());
    const metrics = query();
    const { headline, totals, failures } = metrics;
    if (values.json === true) out(JSON.stringify({ range, traffic, headline, totals, failures }));
    else for (const line of headlineLines(metrics)) out(line);
    if (values.time === true) {
      const timesMs: number[] = [];
      for (let run = 0; run < timingRuns; run++) {
        const startedAt = performance.now();
        query();
        timesMs.push(performance.now() - startedAt);
      }
      timesMs.sort((left, right) => left - right);
      const median = timesMs[timingRuns / 2].toFixed(1);
      const slowest = timesMs[timingRuns - 1].toFixed(1);
      const payments = formatCount(engine.info().payments);
      out(`Dashboard query (${range}, ${traffic}) over ${payments} payments: median ${median} ms, slowest ${slowest} ms of ${timingRuns} runs.`);
    }
    return exitCodes.ok;
  },
};

export const demoCommand: Command = {
  options: { db: { type: 'string' }, out: { type: 'string' }, payments: { type: 'string' }, seed: { type: 'string' } },
  createsLedger: true,
  async run({ engine, values, out }) {
    const payments = wholeNumber(values, 'payments', 20_000, historyPaymentsMax);
    const folder = optionalString(values, 'out') ?? path.join(path.dirname(path.resolve(requireString(values, 'db'))), 'paydesk-demo-files');
    const startedAt = performance.now();
    await requireDemoLedger(engine);
    const history = await seedDemoHistory(engine, {
      payments, endMs: Date.now(), spanMs: dayMs, failingShare: 0.04, batchShare: 0.35, seed: wholeNumber(values, 'seed', 7, 2 ** 31),
    });
    const files = await writeDemoFiles(folder, history);
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    out(`Created ${engine.ledgerPath} with ${countOf(history.accounts, 'account')} and ${countOf(formatCount(history.payments), 'payment')}`);
    out(`over the last 24 hours (${history.batches} batches) in ${seconds} s.`);
    for (const file of files) out(`Wrote ${file}`);
    return exitCodes.ok;
  },
};
