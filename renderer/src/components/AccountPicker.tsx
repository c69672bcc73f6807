import { useMemo, useState } from 'react';
import type { Account } from '../../../shared/domain';
import { formatMinorGrouped } from '../../../shared/money';
import { availableMinor, filterAccounts } from '../lib/account-list';
import { Field } from './Field';
import { formatCount } from '../../../shared/metrics-format';

interface AccountPickerProps {
  label: string;
  accounts: Account[];
  value: string;
  onChange: (accountCode: string) => void;
  error: string | undefined;
  disabled: boolean;
}

/**
 * A search box that narrows a plain select: keyboard friendly, works with
 * thousands of accounts, and every option shows code, name and balance so
 * the operator can check funds before paying.
 */
export function AccountPicker({ label, accounts, value, onChange, error, disabled }: AccountPickerProps) {
  const [searchText, setSearchText] = useState('');
  const options = useMemo(() => {
    const matching = filterAccounts(accounts, searchText);
    // The chosen account stays in the list even when the search no longer matches it.
    const chosen = accounts.find((account) => account.code === value);
    return chosen !== undefined && !matching.includes(chosen) ? [chosen, ...matching] : matching;
  }, [accounts, searchText, value]);

  return (
    <div className="account-picker">
      <Field label={`Find ${label.toLowerCase()}`}>
        {(control) => (
          <input
            {...control}
            type="search"
            value={searchText}
            onChange={(event) => setSearchText(event.target.value)}
            placeholder="Code or name"
            disabled={disabled}
          />
        )}
      </Field>
      <Field label={label} error={error}>
        {(control) => (
          <select {...control} value={value} onChange={(event) => onChange(event.target.value)} disabled={disabled}>
            <option value="">Choose an account ({formatCount(options.length)} shown)</option>
            {options.map((account) => (
              <option key={account.code} value={account.code}>
                {describeAccount(account)}
              </option>
            ))}
          </select>
        )}
      </Field>
    </div>
  );
}

export function describeAccount(account: Account): string {
  const status = account.status === 'open' ? '' : ` [${account.status}]`;
  const money = (amountMinor: number) => `${formatMinorGrouped(amountMinor, account.currency)} ${account.currency}`;
  const balance = account.reservedMinor === 0
    ? money(account.balanceMinor)
    : `${money(availableMinor(account))} available (${money(account.reservedMinor)} reserved)`;
  return `${account.code} — ${account.name} — ${balance}${status}`;
}
