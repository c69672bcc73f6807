import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { createOperator, navigate, openSecondSession } from './operator-steps';

/**
 * Demos never touch a real ledger: on an ordinary ledger the load generator
 * is not offered and core refuses it; on a demo ledger (a separate file made
 * by `paydesk demo`) the header says so, and an administrator starts it after
 * a confirmation while an operator is not offered it.
 */

async function invoke(hostUrl: string, channel: string, request: object): Promise<{ ok: boolean; code?: string; value?: unknown }> {
  const url = new URL(hostUrl);
  const hash = new URLSearchParams(url.hash.slice(1));
  const response = await fetch(`${url.origin}/api/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${hash.get('token')}`, 'X-PayDesk-Session': hash.get('session') ?? '' },
    body: JSON.stringify(request),
  });
  return (await response.json()) as { ok: boolean; code?: string; value?: unknown };
}

test.describe('on a real ledger', () => {
  test('the load generator is not offered, core refuses it, and no payment is made', async ({ page, hostUrl }) => {
    await page.goto(hostUrl);
    await navigate(page, 'Dashboard');
    await expect(page.getByTestId('demo-badge')).toHaveCount(0);
    await expect(page.getByTestId('load-generator-demo-only')).toContainText('runs only on a demo ledger');
    await expect(page.getByRole('button', { name: /^Start/ })).toHaveCount(0);
    const refused = await invoke(hostUrl, 'demo-load-start', { ratePerSecond: 50, durationSeconds: 2, failingShare: 0.5 });
    expect(refused).toMatchObject({ ok: false, code: 'DEMO_ONLY' });
    expect(await invoke(hostUrl, 'ledger-info', {})).toMatchObject({ ok: true, value: { demo: false, payments: 0 } });
  });
});

test.describe('on a demo ledger', () => {
  // The ledger file is made by the command line before the host opens it, as an operator preparing a demo would.
  test.use({
    ledgerPath: async ({}, use) => {
      const folder = await mkdtemp(path.join(os.tmpdir(), 'paydesk-e2e-demo-'));
      const ledgerPath = path.join(folder, 'demo.paydesk');
      const made = spawnSync(process.execPath, ['bin/paydesk.mjs', 'demo', '--db', ledgerPath, '--payments', '200', '--out', path.join(folder, 'files')], {
        cwd: path.resolve(import.meta.dirname, '../..'), encoding: 'utf8',
      });
      if (made.status !== 0) throw new Error(`paydesk demo failed: ${made.stderr}`);
      await use(ledgerPath);
      await rm(folder, { recursive: true, force: true });
    },
  });

  test('the header says demo, an administrator starts the generator after confirming, an operator is not offered it', async ({
    page, browser, hostUrl,
  }) => {
    await page.goto(hostUrl);
    await expect(page.getByTestId('demo-badge')).toHaveText('Demo ledger');
    await navigate(page, 'Dashboard');
    await page.getByLabel('Rate').fill('40');
    await page.getByLabel('Duration').fill('2');
    await page.getByLabel('Failing share').fill('25');
    await page.getByRole('button', { name: 'Start…' }).click();
    const confirm = page.getByRole('alertdialog');
    await expect(confirm).toContainText('Post about 80 made-up payments into this demo ledger over 2 s?');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId('load-status')).toHaveText('Not running.');
    await page.getByRole('button', { name: 'Start…' }).click();
    await confirm.getByRole('button', { name: 'Start the load generator' }).click();
    await expect(page.getByTestId('load-status')).toContainText('Running');
    await expect(page.getByTestId('load-status')).toContainText('Stopped', { timeout: 15_000 });
    const status = await invoke(hostUrl, 'demo-load-status', {});
    expect((status.value as { submitted: number }).submitted).toBeGreaterThan(40);
    await expect(page.getByTestId('chart-failures').locator('.recharts-bar-rectangle')).not.toHaveCount(0);

    await createOperator(page, 'otto', 'operator');
    const otto = await openSecondSession(browser, hostUrl, 'otto', 'otto password 123');
    await navigate(otto, 'Dashboard');
    await expect(otto.getByTestId('demo-badge')).toHaveText('Demo ledger');
    await expect(otto.getByRole('button', { name: /^Start/ })).toHaveCount(0);
  });
});
