import { exitCodes, UsageError, requireString, optionalString, describeFailure, balanceLine, countOf, type Command } from './command';
import { seedDemoLedger } from './demo';
import { batchCommand } from './batch-command';
import { demoCommand, metricsCommand } from './metrics-commands';
import { reconcileCommand } from './reconcile-command';
import { accountIdentifyCommand } from './account-identify-command';
import { restoreCommand } from './restore-command';
import { copyCommand } from './copy-command';
import path from 'node:path';
import { displayLocation } from '../core/storage/postgres-log';

const db = { db: { type: 'string' } } as const;
const json = { json: { type: 'boolean' } } as const;

/**
 * Every command by name. A feature with a CLI face adds one entry here; the
 * parsing, the ledger opening and closing and the error handling are shared.
 */
export const commandTable: Record<string, Command> = {
  init: {
    options: { ...db, demo: { type: 'boolean' } },
    createsLedger: true,
    refusesShared: (values) => (values.demo === true ? 'a demo ledger is made in a file only' : null),
    async run({ engine, values, out }) {
      if (values.demo === true) await seedDemoLedger(engine, true);
      out(`Created ${displayLocation(engine.ledgerPath)}${values.demo === true ? ' with demo accounts' : ''}.`);
      return exitCodes.ok;
    },
  },
  'account add': {
    options: {
      ...db, ...json, code: { type: 'string' }, name: { type: 'string' }, currency: { type: 'string' },
      kind: { type: 'string' }, 'opening-balance': { type: 'string' }, 'overdraft-limit': { type: 'string' },
    },
    async run({ engine, values, out }) {
      const result = await engine.invoke('account-create', {
        code: requireString(values, 'code'),
        name: requireString(values, 'name'),
        currency: requireString(values, 'currency'),
        kind: optionalString(values, 'kind') as 'customer' | 'internal' | undefined,
        openingBalance: optionalString(values, 'opening-balance'),
        overdraftLimit: optionalString(values, 'overdraft-limit'),
      });
      if (!result.ok) throw new UsageError(describeFailure(result));
      out(values.json === true ? JSON.stringify(result.value) : `Account ${requireString(values, 'code')} created.`);
      return exitCodes.ok;
    },
  },
  pay: {
    options: {
      ...db, ...json, id: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
      amount: { type: 'string' }, currency: { type: 'string' }, reference: { type: 'string' },
    },
    async run({ engine, values, out }) {
      const result = await engine.invoke('payment-submit', {
        paymentId: requireString(values, 'id'),
        debtor: requireString(values, 'from'),
        creditor: requireString(values, 'to'),
        amount: requireString(values, 'amount'),
        currency: requireString(values, 'currency'),
        reference: optionalString(values, 'reference'),
      });
      if (!result.ok) throw new UsageError(describeFailure(result));
      const { paymentId, status, code, message, pltUs } = result.value;
      if (values.json === true) out(JSON.stringify({ id: paymentId, status, code, message, pltUs }));
      else out(`${paymentId}: ${status} (${code}) ${message}${pltUs === null ? '' : ` PLT ${(pltUs / 1000).toFixed(3)} ms`}`);
      return status === 'accepted' ? exitCodes.ok : exitCodes.refused;
    },
  },
  balances: {
    options: { ...db, ...json },
    readOnly: true,
    async run({ engine, values, out }) {
      const lines = engine.listAccounts(undefined).map((account) => balanceLine(account.code, account.currency, account.balanceMinor));
      if (values.json === true) out(JSON.stringify(lines));
      else for (const line of lines) out(`${line.code.padEnd(20)} ${line.currency} ${line.balance.padStart(20)}`);
      return exitCodes.ok;
    },
  },
  verify: {
    options: { ...db, ...json },
    readOnly: true,
    async run({ engine, values, out }) {
      const report = await engine.verifyWithFiles();
      if (values.json === true) out(JSON.stringify(report));
      else if (report.ok) out(`OK: ${countOf(report.checkedAccounts, 'account')} and ${countOf(report.checkedPayments, 'payment')} hold every invariant.`);
      else for (const problem of report.problems) out(`BROKEN: ${problem}`);
      return report.ok ? exitCodes.ok : exitCodes.refused;
    },
  },
  batch: batchCommand,
  metrics: metricsCommand,
  demo: { ...demoCommand, refusesShared: () => 'a demo ledger is made in a file only' },
  copy: copyCommand,
  reconcile: reconcileCommand,
  'account identify': accountIdentifyCommand,
  restore: restoreCommand,
  backup: {
    options: { ...db, ...json },
    async run({ engine, values, out }) {
      // The same channel as the Backups page: a file ledger's checkpointed file, or a shared ledger's export, checked after writing.
      const made = await engine.invoke('backup-create', {});
      if (!made.ok) throw new UsageError(describeFailure(made));
      const backupPath = path.join(engine.backups.folder(), made.value.fileName);
      if (values.json === true) out(JSON.stringify({ path: backupPath, sizeBytes: made.value.sizeBytes }));
      else out(`Backed up ${displayLocation(engine.ledgerPath)} to ${backupPath} (${made.value.sizeBytes.toLocaleString('en')} bytes).`);
      return exitCodes.ok;
    },
  },
};
