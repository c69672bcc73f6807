import type { Browser, Locator, Page } from '@playwright/test';
import { expect } from './fixtures';

/** Steps an operator takes on many pages, shared by the workflow specs. */

export function navigate(page: Page, label: string) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
}

export async function signIn(page: Page, username: string, password: string) {
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
}

/** A second window on the same host, signed in as another operator: its own session, side by side with the first. */
export async function openSecondSession(browser: Browser, hostUrl: string, username: string, password: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(hostUrl.replace(/&session=[^&]*/, ''));
  await signIn(page, username, password);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  return page;
}

export async function createOperator(page: Page, username: string, role: string) {
  await navigate(page, 'Operators');
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Display name').fill(username.toUpperCase());
  await page.getByLabel('Initial password').fill(`${username} password 123`);
  await page.getByLabel('Role', { exact: true }).selectOption(role);
  await page.getByRole('button', { name: 'Create operator' }).click();
  await expect(page.getByRole('status')).toHaveText(`Operator ${username} created as ${role}.`);
}

/** Fills the New account form already on screen and waits for its confirmation. */
export async function fillNewAccount(page: Page, code: string, openingBalance: string, name = code, currency = 'EUR') {
  const form = page.getByRole('form', { name: 'New account' });
  await form.getByLabel('Code').fill(code);
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Currency').selectOption(currency);
  await form.getByLabel('Opening balance').fill(openingBalance);
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(form.getByRole('status')).toHaveText(`Account ${code} created.`);
}

export async function createAccounts(page: Page, accounts: [code: string, currency: string, openingBalance: string][]) {
  await navigate(page, 'Accounts');
  await page.getByRole('button', { name: 'New account' }).click();
  for (const [code, currency, openingBalance] of accounts) await fillNewAccount(page, code, openingBalance, `Account ${code}`, currency);
}

/** Sets a currency's approval threshold on the Pending approvals page (a new threshold needs no confirmation). */
export async function setThreshold(page: Page, currency: string, amount: string) {
  await navigate(page, 'Pending approvals');
  await page.getByLabel('Threshold currency').selectOption(currency);
  await page.getByLabel('Threshold amount').fill(amount);
  await page.getByRole('button', { name: 'Set threshold' }).click();
  await expect(page.getByRole('status')).toHaveText(`${currency} threshold set to ${amount} ${currency}.`);
}

/** Drops a CSV file on the Batches page, checks every row and presses Process. */
export async function processBatch(page: Page, fileName: string, text: string, validRows: number) {
  await navigate(page, 'Batches');
  await page.getByLabel('Batch file to import').setInputFiles({ name: fileName, mimeType: 'text/csv', buffer: Buffer.from(text) });
  await page.getByRole('button', { name: 'Check every row' }).click();
  await page.getByRole('button', { name: `Process ${validRows.toLocaleString('en-US')} valid rows` }).click();
}

/**
 * "New payment" empties the form and, a frame later, puts the cursor in the debtor search. Typing
 * before that frame can land in the search box instead of the field meant, so the step waits for it.
 */
export async function startNewPayment(form: Locator) {
  await form.getByRole('button', { name: 'New payment' }).click();
  await expect(form.getByRole('searchbox', { name: 'Find debtor' })).toBeFocused();
}

/** Fills the single payment form on screen and submits it; returns the form. */
export async function submitPaymentForm(page: Page, payment: { debtor: string; creditor: string; amount: string; reference?: string }) {
  const form = page.getByRole('form', { name: 'Single payment' });
  await form.getByRole('combobox', { name: 'Debtor', exact: true }).selectOption(payment.debtor);
  await form.getByRole('combobox', { name: 'Creditor', exact: true }).selectOption(payment.creditor);
  await form.getByLabel('Amount').fill(payment.amount);
  if (payment.reference !== undefined) await form.getByLabel('Reference').fill(payment.reference);
  await form.getByRole('button', { name: 'Submit payment' }).click();
  return form;
}

/** The payment id of the outcome on screen, once it says the payment waits for a second operator. */
export async function heldPaymentId(page: Page): Promise<string> {
  const outcome = page.getByTestId('payment-outcome');
  await expect(outcome.locator('.outcome-status')).toHaveText('Waiting for approval');
  return (await outcome.locator('dd.mono').textContent()) ?? '';
}
