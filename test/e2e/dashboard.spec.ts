import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import type { MetricsDashboard } from '../../shared/metrics';
import { formatCount, formatLatency, formatPercent } from '../../shared/metrics-format';
import { failureChartBars, latencySeries } from '../../renderer/src/pages/dashboard/chart-data';

/**
 * The operator's dashboard against a real engine: payments made through the
 * API, then the tiles read off the screen and checked against the figures
 * core computes, and the charts checked to draw one mark per data point.
 */

function api(hostUrl: string) {
  const url = new URL(hostUrl);
  const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
  const session = new URLSearchParams(url.hash.slice(1)).get('session') ?? '';
  return async <T>(channel: string, request: object): Promise<T> => {
    const response = await fetch(`${url.origin}/api/${channel}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'X-PayDesk-Session': session },
      body: JSON.stringify(request),
    });
    const result = (await response.json()) as { ok: boolean; value: T; message?: string };
    if (!result.ok) throw new Error(`${channel}: ${result.message}`);
    return result.value;
  };
}

function localMidnightMs(): number {
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  return today.getTime();
}

async function openDashboard(page: Page, hostUrl: string) {
  await page.goto(hostUrl);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
}

test('an empty ledger says what to do instead of drawing empty charts', async ({ page, hostUrl }) => {
  await openDashboard(page, hostUrl);
  await expect(page.getByTestId('dashboard-empty')).toContainText('No payments in the last 5 minutes');
  await page.getByLabel('Time range').selectOption('all');
  await expect(page.getByTestId('dashboard-empty')).toHaveText('No payments yet: make one or import a batch.');
});

test('the tiles show the figures core computes, and the charts draw every point they are given', async ({ page, hostUrl }) => {
  const invoke = api(hostUrl);
  await invoke('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '100.00' });
  await invoke('account-create', { code: 'BOB', name: 'Bob', currency: 'EUR' });
  const payments = [
    { creditor: 'BOB', amount: '10.00' },
    { creditor: 'BOB', amount: '20.00' },
    { creditor: 'BOB', amount: '500.00' },
    { creditor: 'NOBODY', amount: '1.00' },
    { creditor: 'BOB', amount: '5.00' },
    { creditor: 'BOB', amount: '7.50' },
  ];
  for (const [index, payment] of payments.entries()) {
    await invoke('payment-submit', { paymentId: `e2e-${index}`, debtor: 'ALICE', currency: 'EUR', ...payment });
  }
  await openDashboard(page, hostUrl);

  // Latencies ride the next commit, so poll until screen and engine agree on settled figures.
  const core = () => invoke<MetricsDashboard>('metrics-dashboard', { range: '5m', todayStartMs: localMidnightMs() });
  await expect(page.getByTestId('tile-payments-today-value')).toHaveText('6');
  await expect(page.getByTestId('tile-psr-value')).toHaveText(formatPercent(4 / 6));
  await expect
    .poll(async () => {
      const metrics = await core();
      const shown = await page.getByTestId('tile-plt-p99-value').textContent();
      return shown === formatLatency(metrics.headline.pltP99Us.value) && metrics.totals.plt.count === 6;
    })
    .toBe(true);
  const metrics = await core();
  expect(metrics.headline.paymentsToday.value).toBe(6);
  await expect(page.getByTestId('tile-payments-today-value')).toHaveText(formatCount(metrics.headline.paymentsToday.value));
  await expect(page.getByTestId('tile-psr-value')).toHaveText(formatPercent(metrics.headline.successRate.value));
  await expect(page.getByTestId('tile-pt-now')).toBeVisible();

  // Failures: one bar per reason code (AM04 and AC01).
  expect(failureChartBars(metrics.failures).map((bar) => bar.code).sort()).toEqual(['AC01', 'AM04']);
  await expect(page.getByTestId('chart-failures').locator('.recharts-bar-rectangle')).toHaveCount(2);
  // PLT percentiles: three lines, one dot per second that had a measured latency; the seconds without one are gaps.
  const latencyPoints = latencySeries(metrics.points).filter((point) => point.p50Ms !== null).length;
  expect(latencyPoints).toBeGreaterThan(0);
  await expect(page.getByTestId('chart-plt').locator('.recharts-line')).toHaveCount(3);
  await expect(page.getByTestId('chart-plt').locator('.recharts-line-dot')).toHaveCount(3 * latencyPoints);
  await expect(page.getByTestId('chart-histogram').locator('.recharts-bar-rectangle').first()).toBeVisible();
  // PT on All traffic: the whole rate and, on its own axis, the real-time rate.
  await expect(page.getByTestId('chart-pt').locator('.recharts-line-curve')).toHaveCount(2);
  await expect(page.getByTestId('chart-pt')).toContainText('PT, real-time only (right axis)');
  // Failure bars carry their counts as labels.
  await expect(page.getByTestId('chart-failures').locator('.recharts-label-list')).toContainText('1');
});
