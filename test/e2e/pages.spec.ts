import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { buildFixtureLedger } from '../fixtures/reconciliation/ledger';
import { expect, test as base } from './fixtures';

/**
 * Every page, as an operator sees it on a laptop: at 1024x700 and 1366x768
 * the page never scrolls sideways and no column of a main table is cut off,
 * and axe-core finds no serious or critical accessibility violation. The
 * ledger holds the reconciliation fixture's payments, the Reconciliation page
 * has a run open and a second operator exists, so the tables have rows to
 * measure.
 *
 * PAYDESK_SCREENSHOTS=1 also saves a screenshot of each page under .tmp/screens.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'test/fixtures/reconciliation');
const screenshotFolder = path.join(root, '.tmp/screens');

const test = base.extend({
  ledgerPath: async ({ ledgerPath }, use) => {
    await buildFixtureLedger(ledgerPath);
    await use(ledgerPath);
  },
});

const pages = ['Dashboard', 'Accounts', 'Payments', 'Batches', 'Reconciliation', 'Pending approvals', 'Audit', 'Operators', 'Backups'] as const;
const viewports = [
  { width: 1024, height: 700 },
  { width: 1366, height: 768 },
] as const;

async function openPage(page: Page, label: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.waitForLoadState('networkidle');
  // Charts and tables settle after their first answers.
  await page.waitForTimeout(300);
}

/** Calls a channel as the signed-in page does, for data the pages should show (a held payment, a second operator). */
async function invoke(page: Page, hostUrl: string, channel: string, request: unknown) {
  const token = new URLSearchParams(new URL(hostUrl).hash.slice(1)).get('token')!;
  const result = await page.evaluate(async ([accessToken, name, body]) => {
    const response = await fetch(`/api/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}`, 'X-PayDesk-Session': sessionStorage.getItem('paydesk.session')! },
      body,
    });
    return (await response.json()) as { ok: boolean; message?: string };
  }, [token, channel, JSON.stringify(request)] as const);
  expect(result.ok, result.message).toBe(true);
}

/** Rows for the main tables: a reconciliation run and a second operator. */
async function fillPages(page: Page, hostUrl: string) {
  await runReconciliation(page);
  await invoke(page, hostUrl, 'operator-create', { username: 'otto', displayName: 'Otto Operator', password: 'otto password 123', role: 'operator' });
}

async function runReconciliation(page: Page) {
  await openPage(page, 'Reconciliation');
  const text = await readFile(path.join(fixtures, 'statement.csv'), 'utf8');
  const dataTransfer = await page.evaluateHandle((content) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([content], 'statement.csv', { type: 'text/csv' }));
    return transfer;
  }, text);
  await page.getByTestId('statement-drop-zone').dispatchEvent('drop', { dataTransfer });
  await page.getByRole('button', { name: 'Run reconciliation' }).click();
  await expect(page.getByTestId('run-counts')).toBeVisible();
}

/** What overflows sideways: the document, the page pane, and each table frame whose content is wider than its box. */
async function horizontalOverflow(page: Page) {
  return page.evaluate(() => {
    const wider = (element: Element) => element.scrollWidth - element.clientWidth > 1;
    const found: string[] = [];
    if (wider(document.documentElement)) found.push(`document ${document.documentElement.scrollWidth} > ${document.documentElement.clientWidth}`);
    const pane = document.querySelector('main.page');
    if (pane !== null && wider(pane)) found.push(`page ${pane.scrollWidth} > ${pane.clientWidth}`);
    for (const frame of document.querySelectorAll('.table-frame')) {
      if (!wider(frame)) continue;
      const table = frame.querySelector('table');
      const labelledBy = table?.getAttribute('aria-labelledby');
      const name = table?.getAttribute('aria-label') ?? (labelledBy ? document.getElementById(labelledBy)?.textContent : null) ?? 'a table';
      found.push(`${name} ${frame.scrollWidth} > ${frame.clientWidth}`);
    }
    return found;
  });
}

for (const viewport of viewports) {
  test(`every page fits ${viewport.width}x${viewport.height} without sideways scrolling or clipped columns`, async ({ page, hostUrl }) => {
    test.setTimeout(120_000);
    await page.setViewportSize(viewport);
    await page.goto(hostUrl);
    await fillPages(page, hostUrl);
    const problems: string[] = [];
    for (const label of pages) {
      await openPage(page, label);
      if (process.env.PAYDESK_SCREENSHOTS === '1') {
        await mkdir(screenshotFolder, { recursive: true });
        const name = `${label.toLowerCase().replace(/\s+/g, '-')}-${viewport.width}x${viewport.height}.png`;
        await page.screenshot({ path: path.join(screenshotFolder, name), fullPage: false });
      }
      for (const problem of await horizontalOverflow(page)) problems.push(`${label}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });
}

test('no page has a serious or critical accessibility violation', async ({ page, hostUrl }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(hostUrl);
  await fillPages(page, hostUrl);
  const violations: string[] = [];
  for (const label of pages) {
    await openPage(page, label);
    const results = await new AxeBuilder({ page }).analyze();
    for (const violation of results.violations) {
      if (violation.impact !== 'serious' && violation.impact !== 'critical') continue;
      const targets = violation.nodes.slice(0, 3).map((node) => node.target.join(' ')).join(', ');
      violations.push(`${label}: ${violation.id} (${violation.impact}) ${violation.help} at ${targets}`);
    }
  }
  expect(violations).toEqual([]);
});
