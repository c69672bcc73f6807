import { existsSync } from 'node:fs';
import { Engine } from '../core/engine';
import { displayLocation, isSharedLedgerUrl } from '../core/storage/postgres-log';
import { exitCodes, requireString, UsageError, countOf, type Command } from './command';

/**
 * `paydesk copy --from FILE --to postgres://...` (and the reverse): the whole
 * ledger, as one database image, into a new ledger of the other kind. Both
 * sides must pass `verify`, and hold the same accounts, payments and audit
 * chain, or the command says which check failed.
 */
export const copyCommand: Command = {
  options: { from: { type: 'string' }, to: { type: 'string' } },
  needsDb: false,
  run: () => Promise.resolve(exitCodes.usage),
  async runWithoutLedger({ values, out }) {
    const from = requireString(values, 'from');
    const to = requireString(values, 'to');
    if (isSharedLedgerUrl(from) === isSharedLedgerUrl(to)) {
      throw new UsageError('copy moves a ledger between a file and PostgreSQL: one of --from and --to is a postgres:// URL, the other a file');
    }
    if (!isSharedLedgerUrl(from) && !existsSync(from)) throw new UsageError(`no ledger at ${from}`);
    if (!isSharedLedgerUrl(to) && existsSync(to)) throw new UsageError(`${to} already exists; it was left as it is`);
    const source = await Engine.open(from, { readOnly: isSharedLedgerUrl(from) ? undefined : 'auto', liveUpdates: false });
    let bytes: Uint8Array;
    let sourceReport: ReturnType<Engine['verify']>;
    let sourceHead: string | null;
    try {
      sourceReport = source.verify();
      if (!sourceReport.ok) {
        out(`FAILED: ${displayLocation(from)} does not verify, so it was not copied: ${sourceReport.problems.join(' ')}`);
        return exitCodes.refused;
      }
      sourceHead = source.auditHead();
      bytes = source.store.exportImage();
    } finally {
      await source.close();
    }
    const target = await Engine.open(to, { create: true, mustBeNew: true, initialBytes: bytes, liveUpdates: false });
    try {
      const targetReport = target.verify();
      const same = targetReport.checkedAccounts === sourceReport.checkedAccounts && targetReport.checkedPayments === sourceReport.checkedPayments
        && target.auditHead() === sourceHead;
      if (!targetReport.ok || !same) {
        out(`FAILED: the copy at ${displayLocation(to)} does not match: ${targetReport.problems.join(' ') || 'different counts or audit chain'}`);
        return exitCodes.refused;
      }
      out(`Copied ${displayLocation(from)} to ${displayLocation(to)}: ${countOf(targetReport.checkedAccounts, 'account')}, ` +
        `${countOf(targetReport.checkedPayments, 'payment')}; verify OK on both sides.`);
      return exitCodes.ok;
    } finally {
      await target.close();
    }
  },
};
