import type { Handlers, ParsedRequestOf } from '../../../shared/contract';
import type { AccountIdentifier } from '../../../shared/domain';
import { failure, success, type Result } from '../../../shared/result';
import type { EngineApi as Engine } from '../engine-api';
import {
  accountForIdentifier, listIdentifiers, normaliseIdentifier, type AccountIdentifierRecord, type AccountIdentifierRemovedRecord,
} from './account-identifiers';

/** The account and the identifier in its kept form, with the account it identifies now (or null); refused when either is wrong. */
function lookUp(engine: Engine, request: ParsedRequestOf<'account-identifier-add'>): Result<{ account: string; value: string; owner: string | null }> {
  const account = engine.store.state.accounts.get(request.account);
  if (account === undefined) return failure('AC01', `The account ${request.account} does not exist in this ledger.`, 'account');
  const value = normaliseIdentifier(request.kind, request.value);
  if (!value.ok) return { ...value, field: 'value' };
  return success({ account: account.code, value: value.value, owner: accountForIdentifier(engine.store.database, { kind: request.kind, value: value.value }) });
}

export async function addIdentifier(engine: Engine, request: ParsedRequestOf<'account-identifier-add'>): Promise<Result<AccountIdentifier>> {
  const found = lookUp(engine, request);
  if (!found.ok) return found;
  const { account, value, owner } = found.value;
  if (owner === account) return failure('IDENTIFIER_TAKEN', `The account ${account} already carries ${value}.`, 'value');
  if (owner !== null) return failure('IDENTIFIER_TAKEN', `${value} already identifies the account ${owner}.`, 'value');
  const record: AccountIdentifierRecord = { t: 'account-identifier', account, kind: request.kind, value, at: Date.now() };
  await engine.store.whenDurable(engine.store.commit([record]));
  return success({ account, kind: record.kind, value, createdAtMs: record.at });
}

/** Takes an identifier off its account; refused, with nothing changed, when the account does not carry it. */
export async function removeIdentifier(engine: Engine, request: ParsedRequestOf<'account-identifier-remove'>): Promise<Result<AccountIdentifier>> {
  const found = lookUp(engine, request);
  if (!found.ok) return found;
  const { account, value, owner } = found.value;
  const named = `${request.kind === 'iban' ? 'IBAN' : 'The account id'} ${value}`;
  if (owner === null) return failure('IDENTIFIER_UNKNOWN', `${named} identifies no account; nothing was removed.`, 'value');
  if (owner !== account) return failure('IDENTIFIER_UNKNOWN', `${named} identifies the account ${owner}, not ${account}; nothing was removed.`, 'value');
  const record: AccountIdentifierRemovedRecord = { t: 'account-identifier-removed', account, kind: request.kind, value, at: Date.now() };
  await engine.store.whenDurable(engine.store.commit([record]));
  return success({ account, kind: record.kind, value, createdAtMs: record.at });
}

export function createAccountIdentifierHandlers(engine: Engine) {
  return {
    'account-identifier-add': (request) => addIdentifier(engine, request),
    'account-identifier-remove': (request) => removeIdentifier(engine, request),
    'account-identifier-list': async (request) => success(listIdentifiers(engine.store.database, request.account)),
  } satisfies Partial<Handlers>;
}
