import { administrator, expect, test } from './fixtures';

/** An administrator restores a backup from the Backups page: asked first, then signed out, and signs in to the restored ledger. */
test('an administrator restores a backup after a confirmation and signs in again', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Backups' }).click();
  await page.getByRole('button', { name: 'Back up now' }).click();
  await expect(page.getByRole('status')).toContainText('written');
  const backups = page.getByRole('table', { name: 'Backups' });
  await backups.getByRole('button', { name: /^Restore / }).first().click();
  const confirmation = page.getByRole('alertdialog');
  await expect(confirmation).toContainText('before-restore');
  await expect(confirmation).toContainText('Every operator is signed out');
  await confirmation.getByRole('button', { name: /^Yes, restore / }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  await expect(page.getByText(/Restored .*Sign in again\./)).toBeVisible();
  await page.getByLabel('User name').fill(administrator.username);
  await page.getByLabel('Password').fill(administrator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('Sign in');
});
