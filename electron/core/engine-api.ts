import type { ChannelName, ParsedRequestOf, RequestOf, ResponseOf } from '../../shared/contract';
import type { PaymentOutcome } from '../../shared/domain';
import type { Result } from '../../shared/result';
import type { EngineEvents } from './events';
import type { LedgerStore } from './ledger-store';
import type { Controls } from './security/controls';

export type PaymentRequest = ParsedRequestOf<'payment-submit'>;

/**
 * What a feature (batches, reconciliation, metrics, the demo load) may use of
 * the engine. Features import this interface, never engine.ts: the Engine
 * class implements it and is the one place that wires the features' handler
 * factories into the dispatch, so the imports run one way
 * (engine.ts -> feature -> engine-api.ts) and the layering test keeps it so.
 */
import type { Clock } from './clock';

export interface EngineApi {
  readonly store: LedgerStore;
  readonly events: EngineEvents;
  /** Operators, sessions, roles, four-eyes approval. */
  readonly controls: Controls;
  readonly ledgerPath: string;
  /** Where payment stamps and "now" come from (electron/core/clock.ts). */
  readonly clock: Clock;
  /** The real-time pipeline: receive, validate, check balance, execute, record, answer once durable. */
  submitPayment(request: PaymentRequest): Promise<Result<PaymentOutcome>>;
  /** A validated call through the contract, as the `cli` operator. */
  invoke<Name extends ChannelName>(name: Name, request: RequestOf<Name>): Promise<Result<ResponseOf<Name>>>;
}
