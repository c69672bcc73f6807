import type { Engine } from '../core/engine';

/** A few accounts in two currencies with balances, enough to try every screen. */
export const demoAccounts = [
  { code: 'ACME-OPS', name: 'Acme Operations', currency: 'EUR', openingBalance: '250000.00' },
  { code: 'ACME-PAYROLL', name: 'Acme Payroll', currency: 'EUR', openingBalance: '80000.00' },
  { code: 'GLOBEX', name: 'Globex Supplies', currency: 'EUR', openingBalance: '1200.00' },
  { code: 'INITECH', name: 'Initech Ltd', currency: 'EUR', openingBalance: '0' },
  { code: 'UMBRELLA-US', name: 'Umbrella Corp US', currency: 'USD', openingBalance: '500000.00' },
  { code: 'HOOLI-US', name: 'Hooli Inc', currency: 'USD', openingBalance: '15000.00' },
  { code: 'STARK-US', name: 'Stark Industries', currency: 'USD', openingBalance: '0' },
] as const;

export async function seedDemoLedger(engine: Engine): Promise<void> {
  for (const account of demoAccounts) {
    const result = await engine.invoke('account-create', { ...account });
    if (!result.ok) throw new Error(`demo account ${account.code}: ${result.message}`);
  }
}
