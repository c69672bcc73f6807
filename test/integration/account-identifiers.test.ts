import { describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { withOperators } from '../support/operators';
import { backends, newLedgerLocation } from '../support/postgres';
import { runCli } from '../support/run-cli';
import { useTempFolder } from '../support/temp-folder';

/**
 * Taking a bank identifier off an account (one added to the wrong account by
 * mistake, or of a bank the account left), on both back ends: refused with a
 * code and a sentence when the account does not carry it, kept across a
 * reopen, audited under the operator who did it, and the IBAN then free for
 * another account.
 */
const newFolder = useTempFolder('paydesk-identifiers-');
const iban = 'DE89370400440532013000';

async function ledgerWithTwoAccounts(location: string): Promise<Engine> {
  const engine = await Engine.open(location, { create: true, liveUpdates: false });
  for (const code of ['CASH', 'SPARE']) {
    const created = await engine.invoke('account-create', { code, name: code, currency: 'EUR' });
    if (!created.ok) throw new Error(created.message);
  }
  return engine;
}

const identifiersOf = async (engine: Engine) => {
  const listed = await engine.invoke('account-identifier-list', {});
  return listed.ok ? listed.value.map((identifier) => `${identifier.account} ${identifier.value}`) : listed;
};

describe.each(backends())('removing an account identifier (%s)', (backend) => {
  it('takes it off the account it identifies, durably and audited; the IBAN may then identify another account', async () => {
    const location = await newLedgerLocation(backend, newFolder());
    const engine = await ledgerWithTwoAccounts(location);
    const { otto } = await withOperators(engine, { otto: 'operator' });
    expect(await otto.call('account-identifier-add', { account: 'SPARE', kind: 'iban', value: iban })).toMatchObject({ ok: true });
    expect(await otto.call('account-identifier-add', { account: 'SPARE', kind: 'other', value: '0532013099' })).toMatchObject({ ok: true });

    // Typed as on paper, with spaces and in lower case, as when it was added.
    const removed = await otto.call('account-identifier-remove', { account: 'SPARE', kind: 'iban', value: 'de89 3704 0044 0532 0130 00' });
    expect(removed).toMatchObject({ ok: true, value: { account: 'SPARE', kind: 'iban', value: iban } });
    expect(await identifiersOf(engine)).toEqual(['SPARE 0532013099']);
    expect(await otto.call('account-identifier-add', { account: 'CASH', kind: 'iban', value: iban })).toMatchObject({ ok: true });

    const audit = await otto.call('audit-list', { action: 'account-identifier-remove' });
    expect(audit.ok && audit.value.items.map((entry) => [entry.actor, entry.target, entry.outcome, entry.detail])).toEqual([
      ['otto', 'SPARE', 'ok', `account SPARE no longer identified by IBAN ${iban}`],
    ]);
    await engine.close();

    const reopened = await Engine.open(location, { liveUpdates: false });
    expect(await identifiersOf(reopened)).toEqual([`CASH ${iban}`, 'SPARE 0532013099']);
    expect(reopened.verify()).toMatchObject({ ok: true, problems: [] });
    await reopened.close();
  });

  it('refuses an identifier the account does not carry, or that is malformed, with a code and a sentence, and changes nothing', async () => {
    const location = await newLedgerLocation(backend, newFolder());
    const engine = await ledgerWithTwoAccounts(location);
    expect(await engine.invoke('account-identifier-add', { account: 'CASH', kind: 'iban', value: iban })).toMatchObject({ ok: true });

    expect(await engine.invoke('account-identifier-remove', { account: 'SPARE', kind: 'iban', value: iban })).toEqual({
      ok: false, code: 'IDENTIFIER_UNKNOWN', field: 'value', message: `IBAN ${iban} identifies the account CASH, not SPARE; nothing was removed.`,
    });
    expect(await engine.invoke('account-identifier-remove', { account: 'CASH', kind: 'other', value: '12345' })).toEqual({
      ok: false, code: 'IDENTIFIER_UNKNOWN', field: 'value', message: 'The account id 12345 identifies no account; nothing was removed.',
    });
    expect(await engine.invoke('account-identifier-remove', { account: 'NOWHERE', kind: 'iban', value: iban })).toMatchObject({
      ok: false, code: 'AC01', field: 'account',
    });
    expect(await engine.invoke('account-identifier-remove', { account: 'CASH', kind: 'iban', value: 'DE89370400440532013001' })).toMatchObject({
      ok: false, field: 'value', message: expect.stringContaining('check digits'),
    });
    expect(await identifiersOf(engine)).toEqual([`CASH ${iban}`]);
    await engine.close();
  });
});

describe('paydesk account identify --remove', () => {
  it('takes the identifier off and says so; refuses one the account does not carry with exit 2 and the sentence', async () => {
    const location = await newLedgerLocation('file', newFolder());
    await (await ledgerWithTwoAccounts(location)).close();
    expect(await runCli(['account', 'identify', '--db', location, '--code', 'CASH', '--iban', iban])).toMatchObject({ code: 0 });
    expect(await runCli(['account', 'identify', '--db', location, '--code', 'SPARE', '--iban', iban, '--remove'])).toMatchObject({
      code: 2, stdout: '', stderr: expect.stringContaining(`IDENTIFIER_UNKNOWN: IBAN ${iban} identifies the account CASH, not SPARE`),
    });
    expect(await runCli(['account', 'identify', '--db', location, '--code', 'CASH', '--iban', iban, '--remove'])).toMatchObject({
      code: 0, stdout: `Account CASH is no longer identified by IBAN ${iban}.\n`,
    });
    const engine = await Engine.open(location);
    expect(await identifiersOf(engine)).toEqual([]);
    await engine.close();
  });
});
