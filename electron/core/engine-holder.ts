import type { EventName } from '../../shared/contract';
import { failure, success, type Result } from '../../shared/result';
import type { RestoreRequest } from './backup/backups';
import { restoreBackup } from './backup/restore';
import { Engine, type EngineOptions } from './engine';
import type { CallContext } from './security/call-context';
import { rm } from 'node:fs/promises';
import { sessionsFilePath } from './security/sessions';

/** While a stopped ledger cannot be reopened, requests are answered with the reason and retried this often. */
const reopenIntervalMs = 2_000;

/**
 * Holds the open engine for a transport (Electron's IPC, the loopback host)
 * and swaps it: when the operator opens another file, and when a backup is
 * restored. Requests already running on the old engine finish before it
 * closes, so a swap never cuts a payment in half; requests that arrive
 * during a swap wait for it. Events are re-subscribed on the new engine.
 * Sessions live in the engine's memory, so a swap ends them all.
 */
export class EngineHolder {
  private engine: Engine | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly running = new Set<Promise<unknown>>();
  private swapping: Promise<unknown> | null = null;
  private lastReopenAttemptMs = 0;

  constructor(
    private readonly onEvent: (name: EventName, payload: unknown) => void,
    private readonly options: EngineOptions = { automaticBackups: true },
  ) {}

  get ledgerPath(): string | null {
    return this.engine?.ledgerPath ?? null;
  }

  /** Opens `ledgerPath` (creating it when missing only with `create`); the current ledger stays open if that fails. */
  async open(ledgerPath: string, create = false): Promise<void> {
    const next = await Engine.open(ledgerPath, { ...this.options, create });
    const previous = this.engine;
    this.attach(next);
    if (previous !== null) await this.closeEngine(previous);
  }

  readonly dispatch = async (channelName: unknown, request: unknown, context: CallContext): Promise<Result<unknown>> => {
    while (this.swapping !== null) await this.swapping;
    let engine = this.engine;
    if (engine === null) return failure('INTERNAL', 'No ledger is open.');
    if (engine.store.stopped !== null) {
      const reopened = await this.reopenAfterStop(engine);
      if (!reopened.ok) return reopened;
      engine = reopened.value;
    }
    const pending = engine.dispatch(channelName, request, context);
    this.running.add(pending);
    const result = await pending.finally(() => this.running.delete(pending));
    const restore = engine.backups.takeRestoreRequest();
    if (restore === null || !result.ok) return result;
    const restored = await this.swap(this.restore(engine, restore));
    return restored.ok ? success({ ...(result.value as object), movedAsideTo: restored.value }) : restored;
  };

  async close(): Promise<void> {
    while (this.swapping !== null) await this.swapping;
    const engine = this.engine;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.engine = null;
    if (engine !== null) await this.closeEngine(engine);
  }

  private attach(engine: Engine): void {
    this.unsubscribe?.();
    this.engine = engine;
    this.unsubscribe = engine.onAny(this.onEvent);
  }

  /** Closes the engine, restores the backup over its file (the current one kept aside) and reopens it; the file reopens even if the restore fails. */
  private async restore(engine: Engine, request: RestoreRequest): Promise<Result<string | null>> {
    const ledgerPath = engine.ledgerPath;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.closeEngine(engine);
    // A restored ledger may hold other operators and passwords: everyone signs in again.
    await rm(sessionsFilePath(ledgerPath), { force: true });
    let restored: Awaited<ReturnType<typeof restoreBackup>>;
    try {
      restored = await restoreBackup(ledgerPath, request.backupPath, request.bytes);
    } catch (error) {
      restored = failure('BACKUP_FAILED', `Restoring ${request.fileName} failed: ${(error as Error).message}`);
    }
    this.attach(await Engine.open(ledgerPath, this.options));
    this.onEvent('ledger-changed', { reason: 'opened' });
    return restored.ok ? success(restored.value.movedAsideTo) : restored;
  }

  /**
   * A store that stopped after a failed write may hold changes that never
   * reached the disk, so it is never read again: the ledger is reopened from
   * its files (at most every few seconds while the cause lasts). Sessions end.
   */
  private async reopenAfterStop(engine: Engine): Promise<Result<Engine>> {
    const stopped = engine.store.stopped!;
    if (Date.now() - this.lastReopenAttemptMs < reopenIntervalMs) return failure('LEDGER_STOPPED', stopped.sentence);
    this.lastReopenAttemptMs = Date.now();
    return this.swap(
      (async (): Promise<Result<Engine>> => {
        await this.closeEngine(engine);
        try {
          this.attach(await Engine.open(engine.ledgerPath, this.options));
        } catch (error) {
          return failure('LEDGER_STOPPED', `${stopped.sentence} Reopening failed: ${(error as Error).message}`);
        }
        this.onEvent('ledger-changed', { reason: 'opened' });
        return success(this.engine!);
      })(),
    );
  }

  /** Runs a swap of the engine while requests that arrive meanwhile wait for it. */
  private async swap<T>(work: Promise<T>): Promise<T> {
    this.swapping = work;
    try {
      return await work;
    } finally {
      this.swapping = null;
    }
  }

  private async closeEngine(engine: Engine) {
    await Promise.allSettled([...this.running]);
    await engine.close();
  }
}
