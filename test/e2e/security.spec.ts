import type { Page } from '@playwright/test';
import { administrator, expect, test } from './fixtures';
import { navigate, signIn, signOut } from './operator-steps';

/**
 * Controls as operators meet them: the first start, signing in and out, an
 * administrator creating operators and a threshold, a payment held for
 * four-eyes approval and approved by a second operator, and a self-approval refused.
 */

/** Pays ALICE -> BOB through the payment form and returns the payment id the form chose. */
async function pay(page: Page, amount: string): Promise<string> {
  await navigate(page, 'Payments');
  const form = page.getByRole('form', { name: 'Single payment' });
  await form.getByRole('combobox', { name: 'Debtor', exact: true }).selectOption('ALICE');
  await form.getByRole('combobox', { name: 'Creditor', exact: true }).selectOption('BOB');
  await form.getByLabel('Amount').fill(amount);
  await form.getByRole('button', { name: 'Submit payment' }).click();
  const outcome = page.getByTestId('payment-outcome');
  await expect(outcome.locator('.outcome-status')).toHaveText('Waiting for approval');
  // PayDesk's own code stays out of sight: the sentence says what happened.
  await expect(outcome).not.toContainText('PENDING_APPROVAL');
  await expect(outcome).toContainText('a second operator with the approver role must approve it');
  return (await outcome.locator('dd.mono').textContent()) ?? '';
}

test.describe('first start', () => {
  test.use({ signedIn: false });

  test('creates the administrator, signs out, refuses a wrong password and signs in', async ({ page, hostUrl }) => {
    await page.goto(hostUrl);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create the administrator');
    await page.getByLabel('User name').fill('root');
    await page.getByLabel('Display name').fill('Rita Root');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await expect(page.getByText('At least 10 characters.')).toBeVisible();
    await page.getByLabel('Password', { exact: true }).fill('a long enough secret');
    await page.getByLabel('Repeat the password').fill('a long enough secret');
    await page.getByRole('button', { name: 'Create administrator and sign in' }).click();
    await expect(page.getByTestId('current-operator')).toHaveText('Rita Root (administrator)');
    await signOut(page);
    await signIn(page, 'root', 'not the secret');
    await expect(page.getByRole('alert')).toHaveText('Not signed in: The user name or password is wrong, or the operator is disabled.');
    await signIn(page, 'root', 'a long enough secret');
    await expect(page.getByTestId('current-operator')).toHaveText('Rita Root (administrator)');
    await navigate(page, 'Audit');
    const rows = page.getByRole('table', { name: 'Audit entries' }).getByRole('row');
    await expect(rows.filter({ hasText: 'refused SIGN_IN_FAILED' })).toHaveCount(1);
  });
});

async function createOperator(page: Page, username: string, role: string) {
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Display name').fill(username.toUpperCase());
  await page.getByLabel('Initial password').fill(`${username} password 123`);
  await page.getByLabel('Role', { exact: true }).selectOption(role);
  await page.getByRole('button', { name: 'Create operator' }).click();
  await expect(page.getByRole('status')).toHaveText(`Operator ${username} created as ${role}.`);
}

async function prepare(page: Page, hostUrl: string) {
  await page.goto(hostUrl);
  await expect(page.getByTestId('current-operator')).toHaveText(`${administrator.displayName} (administrator)`);
  await navigate(page, 'Operators');
  await createOperator(page, 'otto', 'operator');
  await createOperator(page, 'april', 'approver');
  await navigate(page, 'Pending approvals');
  await page.getByLabel('Threshold currency').selectOption('EUR');
  await page.getByLabel('Threshold amount').fill('500.00');
  await page.getByRole('button', { name: 'Set threshold' }).click();
  await expect(page.getByRole('table', { name: 'Approval thresholds' })).toContainText('500.00 EUR');
  await navigate(page, 'Accounts');
  await page.getByRole('button', { name: 'New account' }).click();
  const form = page.getByRole('form', { name: 'New account' });
  for (const [code, opening] of [['ALICE', '1000.00'], ['BOB', '0.00']]) {
    await form.getByLabel('Code').fill(code);
    await form.getByLabel('Name').fill(code);
    await form.getByLabel('Currency').selectOption('EUR');
    await form.getByLabel('Opening balance').fill(opening);
    await form.getByRole('button', { name: 'Create account' }).click();
    await expect(form.getByRole('status')).toHaveText(`Account ${code} created.`);
  }
  await signOut(page);
}

test('a payment above the threshold waits until a second operator approves it', async ({ page, hostUrl }) => {
  await prepare(page, hostUrl);
  await signIn(page, 'otto', 'otto password 123');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operators' })).toHaveCount(0);
  const paymentId = await pay(page, '600.00');
  await navigate(page, 'Pending approvals');
  const row = page.getByRole('row', { name: new RegExp(paymentId) });
  await expect(row).toContainText('otto');
  await expect(row).toContainText('under a minute');
  await expect(page.getByRole('button', { name: `Approve payment ${paymentId}` })).toHaveCount(0);
  await signOut(page);
  await signIn(page, 'april', 'april password 123');
  await navigate(page, 'Pending approvals');
  await page.getByRole('button', { name: `Approve payment ${paymentId}` }).click();
  await expect(page.getByRole('status')).toHaveText(`Payment ${paymentId} approved.`);
  await navigate(page, 'Accounts');
  await expect(page.getByTestId('balance-ALICE')).toHaveText('400.00');
  await expect(page.getByTestId('balance-BOB')).toHaveText('600.00');
});

test('an approver is not offered to approve their own payment', async ({ page, hostUrl }) => {
  await prepare(page, hostUrl);
  await signIn(page, 'april', 'april password 123');
  const paymentId = await pay(page, '700.00');
  await navigate(page, 'Pending approvals');
  const row = page.getByRole('row', { name: new RegExp(paymentId) });
  await expect(row).toContainText('pending');
  await expect(row).toContainText('Your request: another approver decides.');
  await expect(page.getByRole('button', { name: `Approve payment ${paymentId}` })).toHaveCount(0);
  await expect(page.getByRole('button', { name: `Reject payment ${paymentId}` })).toHaveCount(0);
});

test('a viewer reads but is not offered what the role cannot do', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await navigate(page, 'Operators');
  await createOperator(page, 'vera', 'viewer');
  await signOut(page);
  await signIn(page, 'vera', 'vera password 123');
  await expect(page.getByTestId('current-operator')).toHaveText('VERA (viewer)');
  await navigate(page, 'Accounts');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accounts');
  await expect(page.getByRole('button', { name: 'New account' })).toHaveCount(0);
  await navigate(page, 'Payments');
  await expect(page.getByRole('form', { name: 'Single payment' })).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operators' })).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Backups' })).toHaveCount(0);
});
