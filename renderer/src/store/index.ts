import { create } from 'zustand';
import { api, type PayDeskClient } from '../api/client';
import { createPaymentId } from '../lib/payment-id';
import { throttle, type Throttled } from '../lib/throttle';
import { createAccountsSlice, createStatementSlice } from './accounts-slice';
import { createLedgerSlice } from './ledger-slice';
import { createPaymentFormSlice, createPaymentHistorySlice } from './payments-slice';
import type { PayDeskState } from './types';

export type { PayDeskState } from './types';

/** A burst of engine events (a batch, say) refreshes the screen at most this often. */
export const refreshIntervalMs = 400;

export function createPayDeskStore(client: PayDeskClient) {
  let refresh: Throttled | null = null;
  const requestRefresh = () => refresh?.();
  const store = create<PayDeskState>()((...parts) => ({
    ...createLedgerSlice(client)(...parts),
    ...createAccountsSlice(client)(...parts),
    ...createStatementSlice(client)(...parts),
    ...createPaymentFormSlice(client, requestRefresh)(...parts),
    ...createPaymentHistorySlice(client)(...parts),
  }));
  refresh = throttle(() => {
    const state = store.getState();
    void state.loadLedgerInfo();
    void state.loadAccounts();
    void state.loadPayments();
    void state.refreshStatement();
  }, refreshIntervalMs);
  return Object.assign(store, { requestRefresh });
}

export type PayDeskStore = ReturnType<typeof createPayDeskStore>;

export const usePayDeskStore = createPayDeskStore(api);

/** Puts a store back to its first state, with a fresh payment id; for tests. */
export function resetPayDeskStore(store: PayDeskStore = usePayDeskStore): void {
  store.setState({ ...store.getInitialState(), paymentId: createPaymentId() }, true);
}

/**
 * Follows the engine: the connection state, and a refresh of what is on
 * screen whenever the ledger changes or a payment is recorded elsewhere
 * (another window, a batch, the command line). Returns the way to stop.
 */
export function connectEngine(store: PayDeskStore, client: PayDeskClient): () => void {
  const state = store.getState();
  state.setConnection(client.connectionState());
  const stops = [
    client.onConnectionChange((connection) => {
      store.getState().setConnection(connection);
      if (connection === 'connected') store.requestRefresh();
    }),
    client.on('ledger-changed', () => store.requestRefresh()),
    client.on('payment-recorded', (event) => {
      store.getState().noteLastPayment({ paymentId: event.paymentId, status: event.status, code: event.code });
      store.requestRefresh();
    }),
  ];
  store.requestRefresh();
  return () => {
    for (const stop of stops) stop();
  };
}
