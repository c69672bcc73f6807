import type { Page } from '@playwright/test';
import { administrator, expect, freePort, spawnHost, stop, test, waitForUrl } from './fixtures';
import { navigate, signIn, signOut } from './operator-steps';

/**
 * Operators as an administrator manages them and as an operator lives with
 * them: inline checks on the new-operator form, a role change, a password
 * reset, a password change by the operator, a disabled operator refused, all
 * in the audit trail; a session that outlives a restart of the host; and no
 * event stream for a signed-out tab.
 */

async function changeOwnPassword(page: Page, current: string, next: string) {
  await page.getByRole('button', { name: 'Change password' }).click();
  const dialog = page.getByRole('dialog', { name: 'Change password' });
  await dialog.getByLabel('Current password').fill(current);
  await dialog.getByLabel('New password', { exact: true }).fill(next);
  await dialog.getByLabel('Repeat the new password').fill(next);
  await dialog.getByRole('button', { name: 'Change password' }).click();
  return dialog;
}

test('an administrator creates, promotes and resets an operator, who changes their password, and a disabled one is refused', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await navigate(page, 'Operators');
  const form = page.getByRole('form', { name: 'New operator' });
  // Inline checks as the administrator types, in sentences.
  await form.getByLabel('User name').fill('Otto!');
  await expect(form.getByText('The user name may hold letters, digits and . _ - only.')).toBeVisible();
  await form.getByLabel('Initial password').fill('short');
  await expect(form.getByText('At least 10 characters.')).toBeVisible();
  await form.getByLabel('User name').fill('otto');
  await form.getByLabel('Display name').fill('Otto Operator');
  await form.getByLabel('Initial password').fill('otto password 123');
  await form.getByRole('button', { name: 'Create operator' }).click();
  await expect(page.getByRole('status')).toHaveText('Operator otto created as operator.');
  // The same name again: a sentence, not OPERATOR_EXISTS.
  await form.getByLabel('User name').fill('otto');
  await form.getByLabel('Display name').fill('Otto Again');
  await form.getByLabel('Initial password').fill('otto password 123');
  await form.getByRole('button', { name: 'Create operator' }).click();
  await expect(page.getByRole('alert')).toHaveText('Not created: An operator called otto already exists.');

  await page.getByLabel('Role of otto').selectOption('approver');
  await expect(page.getByRole('status').first()).toHaveText('otto is now an approver.');
  await page.getByRole('button', { name: 'Reset the password of otto' }).click();
  const reset = page.getByRole('form', { name: 'New password for otto' });
  await reset.getByLabel('New password for otto').fill('temporary secret 1');
  await reset.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByRole('status').first()).toHaveText('The password of otto was reset; otto signs in with the new one.');
  await signOut(page);

  await signIn(page, 'otto', 'otto password 123');
  await expect(page.getByRole('alert')).toContainText('The user name or password is wrong');
  await signIn(page, 'otto', 'temporary secret 1');
  await expect(page.getByTestId('current-operator')).toHaveText('Otto Operator (approver)');
  const wrong = await changeOwnPassword(page, 'not my password', 'my own secret 22');
  await expect(wrong.getByRole('alert')).toHaveText('Not changed: The current password is wrong; the password was not changed.');
  await wrong.getByRole('button', { name: 'Cancel' }).click();
  const dialog = await changeOwnPassword(page, 'temporary secret 1', 'my own secret 22');
  await expect(dialog.getByRole('status')).toHaveText('Your password was changed. Use the new one from your next sign-in.');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await signOut(page);
  await signIn(page, 'otto', 'my own secret 22');
  await expect(page.getByTestId('current-operator')).toHaveText('Otto Operator (approver)');
  await signOut(page);

  await signIn(page, administrator.username, administrator.password);
  await navigate(page, 'Operators');
  await page.getByRole('button', { name: 'Disable otto' }).click();
  await expect(page.getByRole('status').first()).toHaveText('otto is disabled and signed out.');
  await navigate(page, 'Audit');
  const audit = page.getByRole('table', { name: 'Audit entries' });
  await expect(audit.getByRole('row').filter({ hasText: 'operator otto is now approver' })).toHaveCount(1);
  await expect(audit.getByRole('row').filter({ hasText: 'password of otto reset by admin' })).toHaveCount(1);
  await expect(audit.getByRole('row').filter({ hasText: 'refused PASSWORD_WRONG' })).toHaveCount(1);
  await expect(audit.getByRole('row').filter({ hasText: 'operator otto changed their password' })).toHaveCount(1);
  await expect(audit.getByRole('row').filter({ hasText: 'operator otto set to disabled' })).toHaveCount(1);
  await expect(audit).not.toContainText('scrypt');
  await signOut(page);
  await signIn(page, 'otto', 'my own secret 22');
  await expect(page.getByRole('alert')).toContainText('The user name or password is wrong, or the operator is disabled.');
});

test('a signed-in tab stays signed in across a restart of the host', async ({ page, ledgerPath }) => {
  // This test runs its own hosts on one ledger and one port, one after the other, as an operator restarting PayDesk would.
  const port = await freePort();
  const first = spawnHost(ledgerPath, port);
  try {
    await page.goto(await waitForUrl(first));
    await page.getByLabel('User name').fill('root');
    await page.getByLabel('Display name').fill('Rita Root');
    await page.getByLabel('Password', { exact: true }).fill('a long enough secret');
    await page.getByLabel('Repeat the password').fill('a long enough secret');
    await page.getByRole('button', { name: 'Create administrator and sign in' }).click();
    await expect(page.getByTestId('current-operator')).toHaveText('Rita Root (administrator)');
  } finally {
    await stop(first);
  }
  const second = spawnHost(ledgerPath, port);
  try {
    // The restarted host prints a new address (a new token); the same tab opens it and is still signed in.
    await page.goto(await waitForUrl(second));
    // A fresh load of the page: what it shows comes from the restarted host alone.
    await page.reload();
    await expect(page.getByTestId('current-operator')).toHaveText('Rita Root (administrator)');
    await navigate(page, 'Operators');
    await expect(page.getByRole('table', { name: 'Operators' })).toContainText('root');
    await signOut(page);
  } finally {
    await stop(second);
  }
  // Signing out is kept too: after another restart the tab asks to sign in.
  const third = spawnHost(ledgerPath, port);
  try {
    await page.goto(await waitForUrl(third));
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  } finally {
    await stop(third);
  }
});

test('the event stream needs a signed-in session', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await expect(page.getByTestId('current-operator')).toHaveText(`${administrator.displayName} (administrator)`);
  const token = new URLSearchParams(new URL(hostUrl).hash.slice(1)).get('token')!;
  const sessionId = await page.evaluate(() => window.sessionStorage.getItem('paydesk.session'));
  const status = (query: string) => page.evaluate(async (url) => (await fetch(url)).status, `/api/events?token=${token}${query}`);
  expect(await status('')).toBe(401);
  await signOut(page);
  expect(await status(`&session=${sessionId}`)).toBe(401);
});
