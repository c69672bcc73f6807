import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { createOperator, fillNewAccount, navigate, signIn, signOut } from './operator-steps';

/**
 * A bank statement names its account by IBAN. When no ledger account carries
 * that IBAN, the operator adds it on the Accounts page (in the account's
 * statement, under Bank identifiers) without leaving the UI, and the next
 * drop of the statement finds the account.
 */

const statementFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/reconciliation/statement.camt053.xml');

async function dropStatement(page: Page) {
  const bytes = [...(await readFile(statementFile))];
  const dataTransfer = await page.evaluateHandle((content) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(content)], 'statement.camt053.xml'));
    return transfer;
  }, bytes);
  await page.getByTestId('statement-drop-zone').dispatchEvent('drop', { dataTransfer });
}

async function openAccount(page: Page, code: string) {
  await navigate(page, 'Accounts');
  await page.getByTestId(`account-row-${code}`).getByRole('button', { name: code, exact: true }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`^Statement of ${code}`) })).toBeVisible();
}

/** The ledger with two accounts to identify: CASH and SPARE. */
async function newLedgerWithCashAndSpare(page: Page, hostUrl: string) {
  await page.goto(hostUrl);
  await navigate(page, 'Accounts');
  await page.getByRole('button', { name: 'New account' }).click();
  await fillNewAccount(page, 'CASH', '0.00', 'Cash at bank');
  await fillNewAccount(page, 'SPARE', '0.00', 'Spare account');
}

test('an operator adds the IBAN a statement names, and reconciliation then finds the account', async ({ page, hostUrl }) => {
  await newLedgerWithCashAndSpare(page, hostUrl);

  await navigate(page, 'Reconciliation');
  await dropStatement(page);
  const statements = page.getByRole('table', { name: 'Statements' });
  await expect(statements.getByTestId('statement-1')).toContainText('none carries it: choose below, or add it on the Accounts page');

  await openAccount(page, 'CASH');
  const identifiers = page.getByRole('region', { name: 'Bank identifiers' });
  await expect(identifiers.getByTestId('no-identifiers')).toBeVisible();
  const form = identifiers.getByRole('form', { name: 'Add an identifier to CASH' });
  // A mistyped IBAN is caught under the field, with what is wrong, and nothing is sent.
  await form.getByLabel('IBAN').fill('DE89 3704 0044 0532 0130 01');
  await form.getByRole('button', { name: 'Add identifier' }).click();
  await expect(form.getByText('The check digits of DE89370400440532013001 are wrong: it is mistyped.')).toBeVisible();
  await expect(form.getByLabel('IBAN')).toHaveAttribute('aria-invalid', 'true');
  // Typed as printed on paper, with spaces; kept in electronic form and shown in groups of four.
  await form.getByLabel('IBAN').fill('de89 3704 0044 0532 0130 00');
  await form.getByLabel('IBAN').press('Enter');
  await expect(form.getByRole('status')).toHaveText('IBAN DE89 3704 0044 0532 0130 00 added.');
  await expect(identifiers.getByRole('list', { name: 'Identifiers of CASH' })).toHaveText('IBAN DE89 3704 0044 0532 0130 00 Remove');

  // The same IBAN on a second account is refused with the engine's sentence; an account id is accepted.
  await openAccount(page, 'SPARE');
  const spareForm = page.getByRole('form', { name: 'Add an identifier to SPARE' });
  await spareForm.getByLabel('IBAN').fill('DE89370400440532013000');
  await spareForm.getByRole('button', { name: 'Add identifier' }).click();
  await expect(spareForm.getByRole('alert')).toHaveText('The identifier was not added: DE89370400440532013000 already identifies the account CASH.');
  await spareForm.getByLabel('Kind').selectOption('other');
  await spareForm.getByLabel('Account id').fill('0532013099');
  await spareForm.getByRole('button', { name: 'Add identifier' }).click();
  await expect(page.getByRole('list', { name: 'Identifiers of SPARE' })).toHaveText('Account id 0532013099 Remove');

  await navigate(page, 'Reconciliation');
  await dropStatement(page);
  await expect(page.getByRole('table', { name: 'Statements' }).getByTestId('statement-1')).toContainText('CASH');
  await expect(page.getByLabel('Account')).toHaveValue('CASH');
});

test('an operator removes an IBAN added to the wrong account, with the keyboard, and adds it to the right one', async ({ page, hostUrl }) => {
  await newLedgerWithCashAndSpare(page, hostUrl);
  await openAccount(page, 'SPARE');
  const identifiers = page.getByRole('region', { name: 'Bank identifiers' });
  await identifiers.getByLabel('IBAN').fill('DE89370400440532013000');
  await identifiers.getByRole('button', { name: 'Add identifier' }).click();
  const list = identifiers.getByRole('list', { name: 'Identifiers of SPARE' });
  await expect(list).toContainText('IBAN DE89 3704 0044 0532 0130 00');

  // Keep leaves it where it was.
  await list.getByRole('button', { name: 'Remove IBAN DE89 3704 0044 0532 0130 00' }).click();
  const confirmation = identifiers.getByRole('group', { name: 'Remove IBAN DE89 3704 0044 0532 0130 00?' });
  await expect(confirmation).toContainText('Statements that name it will no longer find SPARE.');
  await confirmation.getByRole('button', { name: 'Keep' }).click();
  await expect(confirmation).toHaveCount(0);
  await expect(list.getByRole('button', { name: 'Remove IBAN DE89 3704 0044 0532 0130 00' })).toBeFocused();
  await expect(list).toContainText('IBAN DE89 3704 0044 0532 0130 00');

  // Remove, then Enter on the confirmation, which has the focus.
  await list.getByRole('button', { name: 'Remove IBAN DE89 3704 0044 0532 0130 00' }).focus();
  await page.keyboard.press('Enter');
  await expect(confirmation.getByRole('button', { name: 'Confirm remove' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(identifiers.getByRole('status')).toHaveText('IBAN DE89 3704 0044 0532 0130 00 removed from SPARE.');
  await expect(identifiers.getByTestId('no-identifiers')).toBeVisible();

  await openAccount(page, 'CASH');
  const cashForm = page.getByRole('form', { name: 'Add an identifier to CASH' });
  await cashForm.getByLabel('IBAN').fill('DE89 3704 0044 0532 0130 00');
  await cashForm.getByRole('button', { name: 'Add identifier' }).click();
  await expect(page.getByRole('list', { name: 'Identifiers of CASH' })).toContainText('IBAN DE89 3704 0044 0532 0130 00');

  await navigate(page, 'Audit');
  const entries = page.getByRole('table', { name: 'Audit entries' });
  await expect(entries.getByRole('row', { name: /account SPARE no longer identified by IBAN DE89370400440532013000/ })).toHaveCount(1);
});

test('a viewer sees the identifiers but gets no form to add one and no Remove', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await navigate(page, 'Accounts');
  await page.getByRole('button', { name: 'New account' }).click();
  await fillNewAccount(page, 'CASH', '0.00', 'Cash at bank');
  await openAccount(page, 'CASH');
  const identifiers = page.getByRole('region', { name: 'Bank identifiers' });
  await identifiers.getByLabel('IBAN').fill('DE89370400440532013000');
  await identifiers.getByRole('button', { name: 'Add identifier' }).click();
  await expect(identifiers.getByRole('list', { name: 'Identifiers of CASH' })).toHaveText('IBAN DE89 3704 0044 0532 0130 00 Remove');
  await createOperator(page, 'vera', 'viewer');
  await signOut(page);

  await signIn(page, 'vera', 'vera password 123');
  await openAccount(page, 'CASH');
  await expect(identifiers.getByRole('list', { name: 'Identifiers of CASH' })).toHaveText('IBAN DE89 3704 0044 0532 0130 00');
  await expect(identifiers.getByRole('form')).toHaveCount(0);
  await expect(identifiers.getByRole('button', { name: /^Remove/ })).toHaveCount(0);
});
