import type { LedgerInfo, PaymentStatus } from '../../../shared/domain';
import type { ReasonCode } from '../../../shared/codes';
import type { Failure } from '../../../shared/result';
import type { ConnectionState, PayDeskClient } from '../api/client';
import type { SliceCreator } from './types';

/** What the status bar says about the most recent payment, whoever submitted it. */
export interface LastPaymentSummary {
  paymentId: string;
  status: PaymentStatus | 'pending';
  code: ReasonCode;
}

export interface LedgerSlice {
  ledgerInfo: LedgerInfo | null;
  ledgerError: Failure | null;
  connection: ConnectionState;
  lastPayment: LastPaymentSummary | null;
  loadLedgerInfo(): Promise<void>;
  setConnection(connection: ConnectionState): void;
  noteLastPayment(summary: LastPaymentSummary): void;
}

export function createLedgerSlice(client: PayDeskClient): SliceCreator<LedgerSlice> {
  return (set) => ({
    ledgerInfo: null,
    ledgerError: null,
    connection: 'connecting',
    lastPayment: null,
    async loadLedgerInfo() {
      const result = await client.invoke('ledger-info', {});
      if (result.ok) set({ ledgerInfo: result.value, ledgerError: null });
      else set({ ledgerError: result });
    },
    setConnection(connection) {
      set({ connection });
    },
    noteLastPayment(summary) {
      set({ lastPayment: summary });
    },
  });
}
