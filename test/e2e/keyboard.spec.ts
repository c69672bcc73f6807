import { expect, test } from './fixtures';
import { fillNewAccount } from './operator-steps';

/**
 * An operator on a 1024 px laptop, mostly from the keyboard: the navigation
 * sits above the page instead of beside it, the first Tab offers a skip link
 * to the page, focus is visible on the dark navigation, the read-only currency
 * is no Tab stop, and after a submit focus lands on "New payment".
 */

test('at 1024x700 the navigation collapses above the page and the keyboard reaches everything', async ({ page, hostUrl }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto(hostUrl);
  const navigation = page.getByRole('navigation', { name: 'Main' });
  const main = page.getByRole('main');
  const navigationBox = (await navigation.boundingBox())!;
  const mainBox = (await main.boundingBox())!;
  // Collapsed: a row above the page, and the page takes the whole width.
  expect(navigationBox.y + navigationBox.height).toBeLessThanOrEqual(mainBox.y + 1);
  expect(mainBox.width).toBeGreaterThan(1000);

  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to the page' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(main).toBeFocused();

  // The ring on a navigation link is white, visible against the dark bar.
  await navigation.getByRole('link', { name: 'Payments' }).focus();
  const outline = await navigation.getByRole('link', { name: 'Payments' }).evaluate((link) => {
    const style = getComputedStyle(link);
    return { style: style.outlineStyle, color: style.outlineColor };
  });
  expect(outline).toEqual({ style: 'solid', color: 'rgb(255, 255, 255)' });

  await navigation.getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'New account' }).click();
  await fillNewAccount(page, 'ALICE', '100.00');
  await fillNewAccount(page, 'BOB', '0.00');
  await navigation.getByRole('link', { name: 'Payments' }).click();
  const form = page.getByRole('form', { name: 'Single payment' });
  await form.getByRole('combobox', { name: 'Debtor', exact: true }).selectOption('ALICE');
  await form.getByRole('combobox', { name: 'Creditor', exact: true }).selectOption('BOB');
  await form.getByLabel('Amount').focus();
  await page.keyboard.type('12.50');
  await page.keyboard.press('Tab');
  // The currency comes from the debtor and cannot be typed: Tab goes on to the reference.
  await expect(form.getByLabel('Reference')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('payment-outcome').locator('.outcome-status')).toHaveText('Accepted');
  const newPayment = form.getByRole('button', { name: 'New payment' });
  await expect(newPayment).toBeFocused();
  await expect(newPayment).toHaveClass(/primary/);
  await page.keyboard.press('Enter');
  await expect(form.getByLabel('Find debtor')).toBeFocused();
});

test('a drop zone shows that a dragged file will be taken', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Batches' }).click();
  const zone = page.getByTestId('batch-drop-zone');
  const dataTransfer = await page.evaluateHandle(() => new DataTransfer());
  await zone.dispatchEvent('dragover', { dataTransfer });
  await expect(zone).toHaveClass(/drop-zone-over/);
  await expect(zone).toContainText('Release to load the file.');
  await zone.dispatchEvent('dragleave', { dataTransfer });
  await expect(zone).not.toHaveClass(/drop-zone-over/);
});
