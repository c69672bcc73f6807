import { describeFailure, exitCodes, optionalString, requireString, UsageError, type Command } from './command';

/**
 * paydesk account identify: gives a ledger account the IBAN (or other account id) its bank statements name it by,
 * or with --remove takes one off it (added by mistake, or the account moved banks).
 */
export const accountIdentifyCommand: Command = {
  options: {
    db: { type: 'string' }, json: { type: 'boolean' }, code: { type: 'string' }, iban: { type: 'string' }, 'other-id': { type: 'string' },
    remove: { type: 'boolean' },
  },
  async run({ engine, values, out }) {
    const iban = optionalString(values, 'iban');
    const otherId = optionalString(values, 'other-id');
    if ((iban === undefined) === (otherId === undefined)) throw new UsageError('account identify takes exactly one of --iban IBAN and --other-id ID');
    const remove = values.remove === true;
    const result = await engine.invoke(remove ? 'account-identifier-remove' : 'account-identifier-add', {
      account: requireString(values, 'code'), kind: iban === undefined ? 'other' : 'iban', value: iban ?? otherId!,
    });
    if (!result.ok) throw new UsageError(describeFailure(result));
    const identifier = result.value;
    const named = `${identifier.kind === 'iban' ? 'IBAN' : 'id'} ${identifier.value}`;
    const sentence = remove ? `Account ${identifier.account} is no longer identified by ${named}.` : `Account ${identifier.account} is identified by ${named}.`;
    out(values.json === true ? JSON.stringify(identifier) : sentence);
    return exitCodes.ok;
  },
};
