import type { Caller } from '../../shared/access';
import { channels, isChannelName, type ChannelName, type Handlers } from '../../shared/contract';
import { sentenceFor } from '../../shared/codes';
import { failure, type Failure, type Result } from '../../shared/result';
import { runInScope, type ActionScope, type CallContext } from './security/call-context';

/**
 * Turns the engine's handlers into one function that every transport calls
 * (Electron IPC, the loopback host, tests). The renderer is untrusted: the
 * channel name is checked against the contract, the caller against the role
 * the channel needs (shared/channel-roles.ts), and the request is validated
 * by the channel's schema before any handler runs. A malformed request gets
 * FF01 with the first problem spelled out, and changes nothing. The handler
 * runs in an action scope, so whatever it commits carries an audit entry
 * naming the caller and the channel. A refusal by role is audited; so is a
 * change the handler refused, and an action that wrote no record of its own
 * (electron/core/audit/unrecorded-actions.ts): a refusal adds an entry but
 * changes nothing else.
 */
export type Dispatch = (channelName: unknown, request: unknown, context: CallContext) => Promise<Result<unknown>>;

/** Who may call what: electron/core/security/access-control.ts. */
export interface Gatekeeper {
  /** The caller, or the refusal (SIGN_IN_REQUIRED, ROLE_REQUIRED); a refused change is audited there. */
  admit(channelName: ChannelName, context: CallContext): Result<Caller>;
  /** After a handler answered without writing an audit entry: records a refusal or an action outside the ledger. */
  noteUnaudited?(channelName: ChannelName, caller: Caller, result: Result<unknown>): void;
}

/** What the store says about writes: stopped after a failure, or read-only. */
export interface StorageState {
  /** The sentence for a store that stopped after a failed write, or null while it works. */
  stopped(): string | null;
  /** The failure to answer for an error thrown by the store, or null for any other error. */
  describe(error: unknown): Failure | null;
  /**
   * Runs a request with the ledger current and to itself (LedgerStore.turn): for a
   * shared ledger, across every process that has it open.
   */
  turn<T>(handler: () => Promise<T>): Promise<T>;
}

const noStorageState: StorageState = { stopped: () => null, describe: () => null, turn: (handler) => handler() };

/**
 * Channels whose handlers take the turn themselves, only for what needs it. Validating a batch reads and checks a
 * whole file (seconds for a million rows) and keeps it in PostgreSQL, and in the request's turn every other desk of a
 * shared ledger would wait meanwhile (BatchService.validate). Pausing or cancelling a batch that runs in this process
 * waits for the run to stop, and the run needs a turn for its chunk in flight and its status: in the request's turn
 * on a shared ledger neither ever came (BatchService.pause, cancel). Their admission and its audit still run in a turn.
 */
const channelsTakingTheirOwnTurns: ReadonlySet<ChannelName> = new Set<ChannelName>(['batch-validate', 'batch-pause', 'batch-cancel']);

type Turn = <T>(handler: () => Promise<T>) => Promise<T>;

const alreadyInTurn: Turn = (handler) => handler();

export function createDispatch(handlers: Handlers, gatekeeper: Gatekeeper, storage: StorageState = noStorageState): Dispatch {
  return async (channelName, request, context) => {
    if (!isChannelName(channelName)) {
      return failure('UNKNOWN_CHANNEL', `The engine has no operation called "${String(channelName).slice(0, 60)}".`);
    }
    try {
      const inOwnTurns = channelsTakingTheirOwnTurns.has(channelName);
      if (inOwnTurns) return await dispatchRequest(channelName, request, context, (handler) => storage.turn(handler));
      return await storage.turn(() => dispatchRequest(channelName, request, context, alreadyInTurn));
    } catch (error) {
      // The turn itself failed (a shared ledger's connection): the store has stopped and says why.
      const storageFailure = storage.describe(error);
      if (storageFailure !== null) return storageFailure;
      throw error;
    }
  };

  /** Runs one request; `inTurn` runs what may commit (an audited refusal, a note) in the ledger's turn. */
  async function dispatchRequest(channelName: ChannelName, request: unknown, context: CallContext, inTurn: Turn): Promise<Result<unknown>> {
    const admitted = await inTurn(async () => gatekeeper.admit(channelName, context));
    if (!admitted.ok) return admitted;
    const parsed = channels[channelName].request.safeParse(request ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.join('.');
      const message = issue.code === 'unrecognized_keys' ? `Unexpected field: ${issue.keys.join(', ')}.` : issue.message;
      return failure('FF01', message, field === '' ? undefined : field);
    }
    const handler = handlers[channelName] as (request: unknown, caller: Caller) => Promise<Result<unknown>>;
    const scope: ActionScope = { caller: admitted.value, action: channelName, audited: false };
    const stopped = storage.stopped();
    if (stopped !== null) return failure('LEDGER_STOPPED', stopped);
    try {
      const result = await runInScope(scope, () => handler(parsed.data, admitted.value));
      if (!scope.audited) await inTurn(async () => gatekeeper.noteUnaudited?.(channelName, admitted.value, result));
      return result;
    } catch (error) {
      const storageFailure = storage.describe(error);
      if (storageFailure !== null) return storageFailure;
      console.error(`paydesk: ${channelName} failed`, error);
      return failure('INTERNAL', sentenceFor('INTERNAL'));
    }
  }
}
