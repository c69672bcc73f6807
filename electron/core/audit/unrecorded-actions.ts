import type { BackupFile } from '../../../shared/access';
import { channelChangesState } from '../../../shared/channel-roles';
import type { ChannelName } from '../../../shared/contract';
import type { LoadGeneratorStatus } from '../../../shared/metrics';
import type { Result } from '../../../shared/result';
import type { AuditNote } from './audit-trail';

/**
 * Actions an auditor must see that write no ledger record of their own, so
 * no commit carries their audit entry: a change the engine refused (a
 * self-approval, closing an account that still holds money, a threshold
 * change not confirmed), and a few that act outside the ledger (a backup, the
 * demo load generator). Dispatch asks here once the
 * handler has answered and nothing was audited; the entry then changes no
 * balance. A malformed request is refused before any handler and writes nothing.
 */

const describeSuccess: Partial<Record<ChannelName, (value: never) => string>> = {
  'backup-create': (file: BackupFile) => `backup ${file.fileName} written (${Math.ceil(file.sizeBytes / 1024).toLocaleString('en-US')} KiB)`,
  'demo-load-start': (status: LoadGeneratorStatus) =>
    `demo load generator started: ${status.ratePerSecond}/s for ${status.durationSeconds} s, ${Math.round(status.failingShare * 100)} % failing`,
  'demo-load-stop': (status: LoadGeneratorStatus) => `demo load generator stopped after ${status.submitted.toLocaleString('en-US')} payments`,
};

/** The audit entry for an answer that committed none, or null when there is nothing an auditor needs. */
export function unrecordedAuditNote(channelName: ChannelName, result: Result<unknown>): AuditNote | null {
  if (!channelChangesState(channelName)) return null;
  if (!result.ok) return { outcome: `refused ${result.code}`, target: result.field ?? '', detail: result.message };
  const describe = describeSuccess[channelName] as ((value: unknown) => string) | undefined;
  return describe === undefined ? null : { outcome: 'ok', detail: describe(result.value) };
}
