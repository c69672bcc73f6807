import { restoreBackup } from '../core/backup/restore';
import { exitCodes, UsageError, requireString, type Command } from './command';

/**
 * `paydesk restore --db FILE BACKUP`: checks the backup (a PayDesk ledger whose
 * invariants and audit chain hold), moves the current file and its journal
 * aside, and writes the backup in its place. Refused while the ledger is open.
 */
export const restoreCommand: Command = {
  options: { db: { type: 'string' } },
  positionals: true,
  async run() {
    throw new Error('restore runs without opening the ledger');
  },
  async runWithoutLedger({ values, positionals, out }) {
    const ledgerPath = requireString(values, 'db');
    if (positionals.length !== 1) throw new UsageError('restore takes exactly one BACKUP file');
    const result = await restoreBackup(ledgerPath, positionals[0]);
    if (!result.ok) throw new UsageError(`${result.code}: ${result.message}`);
    const { movedAsideTo, check } = result.value;
    out(`Restored ${positionals[0]} to ${ledgerPath}: ${check.accounts} accounts, ${check.payments} payments, ${check.auditEntries} audit entries.`);
    if (movedAsideTo !== null) out(`The replaced ledger and its journal were moved to ${movedAsideTo}.`);
    return exitCodes.ok;
  },
};
