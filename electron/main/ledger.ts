import { Engine } from '../core/engine';
import type { EventName } from '../../shared/contract';
import { failure, type Result } from '../../shared/result';
import type { CallContext } from '../core/security/call-context';

/**
 * Holds the open ledger and swaps it when the operator opens another file.
 * Requests already running on the old engine finish before it closes, so a
 * swap never cuts a payment in half.
 */
export class LedgerHolder {
  private engine: Engine | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly onEvent: (name: EventName, payload: unknown) => void) {}

  get ledgerPath(): string | null {
    return this.engine?.ledgerPath ?? null;
  }

  /** Opens `ledgerPath` (creating it if missing); the current ledger stays open if that fails. */
  async open(ledgerPath: string): Promise<void> {
    const next = await Engine.open(ledgerPath, { automaticBackups: true });
    const previous = this.engine;
    this.unsubscribe?.();
    this.engine = next;
    this.unsubscribe = next.onAny(this.onEvent);
    if (previous !== null) await this.closeEngine(previous);
  }

  readonly dispatch = (channelName: unknown, request: unknown, context: CallContext): Promise<Result<unknown>> => {
    if (this.engine === null) return Promise.resolve(failure('INTERNAL', 'No ledger is open.'));
    const pending = this.engine.dispatch(channelName, request, context);
    this.running.add(pending);
    void pending.finally(() => this.running.delete(pending));
    return pending;
  };

  async close(): Promise<void> {
    const engine = this.engine;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.engine = null;
    if (engine !== null) await this.closeEngine(engine);
  }

  private async closeEngine(engine: Engine) {
    await Promise.allSettled([...this.running]);
    await engine.close();
  }
}
