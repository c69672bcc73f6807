import type { Handlers, ParsedRequestOf } from '../../../shared/contract';
import type { AccountIdentifier } from '../../../shared/domain';
import { failure, success, type Result } from '../../../shared/result';
import type { EngineApi as Engine } from '../engine-api';
import {
  accountForIdentifier, listIdentifiers, normaliseIdentifier, type AccountIdentifierRecord, type AccountIdentifierRemovedRecord,
} from './account-identifiers';

export async function addIdentifier(engine: Engine, request: ParsedRequestOf<'account-identifier-add'>): Promise<Result<AccountIdentifier>> {
  const account = engine.store.state.accounts.get(request.account);
  if (account === undefined) return failure('AC01', `The account ${request.account} does not exist in this ledger.`, 'account');
  const value = normaliseIdentifier(request.kind, request.value);
  if (!value.ok) return { ...value, field: 'value' };
  const owner = accountForIdentifier(engine.store.database, { kind: request.kind, value: value.value });
  if (owner === account.code) return failure('IDENTIFIER_TAKEN', `The account ${account.code} already carries ${value.value}.`, 'value');
  if (owner !== null) return failure('IDENTIFIER_TAKEN', `${value.value} already identifies the account ${owner}.`, 'value');
  const record: AccountIdentifierRecord = { t: 'account-identifier', account: account.code, kind: request.kind, value: value.value, at: Date.now() };
  const lsn = engine.store.commit([record]);
  await engine.store.whenDurable(lsn);
  return success({ account: account.code, kind: record.kind, value: record.value, createdAtMs: record.at });
}

/** Takes an identifier off its account; refused, with nothing changed, when the account does not carry it. */
export async function removeIdentifier(engine: Engine, request: ParsedRequestOf<'account-identifier-remove'>): Promise<Result<AccountIdentifier>> {
  const account = engine.store.state.accounts.get(request.account);
  if (account === undefined) return failure('AC01', `The account ${request.account} does not exist in this ledger.`, 'account');
  const value = normaliseIdentifier(request.kind, request.value);
  if (!value.ok) return { ...value, field: 'value' };
  const owner = accountForIdentifier(engine.store.database, { kind: request.kind, value: value.value });
  const named = `${request.kind === 'iban' ? 'IBAN' : 'The account id'} ${value.value}`;
  if (owner === null) return failure('IDENTIFIER_UNKNOWN', `${named} identifies no account; nothing was removed.`, 'value');
  if (owner !== account.code) {
    return failure('IDENTIFIER_UNKNOWN', `${named} identifies the account ${owner}, not ${account.code}; nothing was removed.`, 'value');
  }
  const record: AccountIdentifierRemovedRecord = {
    t: 'account-identifier-removed', account: account.code, kind: request.kind, value: value.value, at: Date.now(),
  };
  const lsn = engine.store.commit([record]);
  await engine.store.whenDurable(lsn);
  return success({ account: account.code, kind: record.kind, value: record.value, createdAtMs: record.at });
}

export function createAccountIdentifierHandlers(engine: Engine) {
  return {
    'account-identifier-add': (request) => addIdentifier(engine, request),
    'account-identifier-remove': (request) => removeIdentifier(engine, request),
    'account-identifier-list': async (request) => success(listIdentifiers(engine.store.database, request.account)),
  } satisfies Partial<Handlers>;
}
