import { restoreBackup, restoreSharedBackup } from '../core/backup/restore';
import { displayLocation, isSharedLedgerUrl } from '../core/storage/postgres-log';
import { exitCodes, UsageError, requireString, countOf, type Command } from './command';

/**
 * `paydesk restore --db FILE BACKUP`: checks the backup (a PayDesk ledger whose
 * invariants and audit chain hold), moves the current file and its journal
 * aside, and writes the backup in its place. Refused while the ledger is open.
 * With a postgres:// URL it restores into a new shared ledger, in a database
 * that holds none yet; a shared ledger is never replaced.
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
    const backupPath = positionals[0];
    const result = isSharedLedgerUrl(ledgerPath) ? await restoreSharedBackup(ledgerPath, backupPath) : await restoreBackup(ledgerPath, backupPath);
    if (!result.ok) throw new UsageError(`${result.code}: ${result.message}`);
    const { movedAsideTo, check } = result.value;
    const counts = [countOf(check.accounts, 'account'), countOf(check.payments, 'payment'), countOf(check.auditEntries, 'audit entry', 'audit entries')]
      .join(', ');
    out(`Restored ${backupPath} to ${displayLocation(ledgerPath)}: ${counts}.`);
    if (movedAsideTo !== null) out(`The replaced ledger and its journal were moved to ${movedAsideTo}.`);
    return exitCodes.ok;
  },
};
