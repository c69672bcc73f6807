import type { Handlers } from '../../../shared/contract';
import { failure, success } from '../../../shared/result';
import { backupCheckIntervalMs, copyLedger, type Backups } from './backups';

/**
 * The backups an application makes by itself: one a day while it runs (checked
 * hourly, and once at start) and one when it closes the ledger. The command
 * line and tests open ledgers without them, so a script that pays a thousand
 * times does not copy the file a thousand times.
 */
export class AutomaticBackups {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<unknown> = Promise.resolve();

  private constructor(private readonly backups: Backups) {}

  static start(backups: Backups): AutomaticBackups {
    const automatic = new AutomaticBackups(backups);
    automatic.checkDaily();
    automatic.timer = setInterval(() => automatic.checkDaily(), backupCheckIntervalMs);
    automatic.timer.unref?.();
    return automatic;
  }

  private checkDaily(): void {
    this.running = this.running
      .then(async () => {
        if (await this.backups.dailyDue(Date.now())) await this.backups.create('daily');
      })
      .catch((error: unknown) => console.error('paydesk: the daily backup failed', error));
  }

  /** Stops the timer and waits for a backup in progress; returns the folder the closing backup goes to. */
  async stop(): Promise<string> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    return this.backups.folder();
  }
}

/** After the ledger closed (its last checkpoint written): a copy of the final file. A failure is reported, never thrown. */
export async function backupOnClose(ledgerPath: string, folder: string): Promise<void> {
  try {
    await copyLedger(ledgerPath, folder, 'close');
  } catch (error) {
    console.error(`paydesk: the backup on close to ${folder} failed`, error);
  }
}

export function createBackupHandlers(backups: Backups) {
  return {
    'backup-status': async () => success(await backups.status()),
    'backup-create': async () => {
      try {
        return success(await backups.create('manual'));
      } catch (error) {
        return failure('BACKUP_FAILED', `The backup to ${backups.folder()} failed: ${(error as Error).message}`);
      }
    },
    'backup-folder-set': (request) => backups.setFolder(request.folder),
    'backup-restore': (request) => backups.prepareRestore(request.fileName),
  } satisfies Partial<Handlers>;
}
