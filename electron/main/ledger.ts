import { EngineHolder } from '../core/engine-holder';

/**
 * Holds the open ledger for the Electron shell and swaps it when the operator
 * opens another file or restores a backup: the engine holder of
 * electron/core, shared with the loopback host.
 */
export class LedgerHolder extends EngineHolder {}
