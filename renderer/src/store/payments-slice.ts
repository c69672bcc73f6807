import type { RequestOf } from '../../../shared/contract';
import type { PaymentListStatus, PaymentOutcome, PaymentRecord } from '../../../shared/domain';
import type { Failure } from '../../../shared/result';
import type { PayDeskClient } from '../api/client';
import { endOfDayMs, startOfDayMs } from '../lib/format';
import { createPaymentId } from '../lib/payment-id';
import { checkPaymentDraft, emptyPaymentDraft, type PaymentDraft } from '../lib/payment-validation';
import type { SliceCreator } from './types';

/** Payment history rows fetched per page. */
export const paymentPageSize = 50;

export interface PaymentFilter {
  status: PaymentListStatus | 'all';
  /** An account code, or '' for every account. */
  account: string;
  /** Date inputs' values ("2025-03-14"), or '' for no bound. */
  fromDate: string;
  toDate: string;
}

export const emptyPaymentFilter: PaymentFilter = { status: 'all', account: '', fromDate: '', toDate: '' };

export interface PaymentFormSlice {
  paymentDraft: PaymentDraft;
  /** The id the form will submit with; it stays the same until the operator starts a new payment. */
  paymentId: string;
  paymentSubmitting: boolean;
  /** True after the operator tried to submit, so empty required fields are pointed out. */
  paymentAttempted: boolean;
  paymentOutcome: PaymentOutcome | null;
  paymentFailure: Failure | null;
  setPaymentDraft(change: Partial<PaymentDraft>): void;
  /** `confirmDuplicate`: the operator saw the possible-duplicate warning and pays anyway. */
  submitPayment(confirmDuplicate?: boolean): Promise<void>;
  startNewPayment(): void;
}

export interface PaymentHistorySlice {
  paymentFilter: PaymentFilter;
  paymentRecords: PaymentRecord[];
  /** The cursor of the page on screen; null is the newest page. */
  paymentCursor: string | null;
  /** Cursors of the newer pages already visited, so "Newer" can go back. */
  paymentNewerCursors: (string | null)[];
  paymentNextCursor: string | null;
  paymentsLoading: boolean;
  paymentsError: Failure | null;
  setPaymentFilter(change: Partial<PaymentFilter>): Promise<void>;
  loadPayments(): Promise<void>;
  showOlderPayments(): Promise<void>;
  showNewerPayments(): Promise<void>;
}

export type PaymentsSlice = PaymentFormSlice & PaymentHistorySlice;

export function paymentListRequest(filter: PaymentFilter, cursor: string | null): RequestOf<'payment-list'> {
  const fromMs = startOfDayMs(filter.fromDate);
  const toMs = endOfDayMs(filter.toDate);
  return {
    limit: paymentPageSize,
    cursor,
    ...(filter.status === 'all' ? {} : { status: filter.status }),
    ...(filter.account === '' ? {} : { account: filter.account }),
    ...(fromMs === undefined ? {} : { fromMs }),
    ...(toMs === undefined ? {} : { toMs }),
  };
}

/** The single-payment form: its draft, its payment id and the engine's answer. */
export function createPaymentFormSlice(client: PayDeskClient, requestRefresh: () => void): SliceCreator<PaymentFormSlice> {
  return (set, get) => ({
    paymentDraft: emptyPaymentDraft,
    paymentId: createPaymentId(),
    paymentSubmitting: false,
    paymentAttempted: false,
    paymentOutcome: null,
    paymentFailure: null,
    setPaymentDraft(change) {
      set({ paymentDraft: { ...get().paymentDraft, ...change } });
    },
    async submitPayment(confirmDuplicate = false) {
      const state = get();
      // A second click while the first is in flight must not send anything.
      if (state.paymentSubmitting) return;
      const check = checkPaymentDraft(state.paymentDraft, state.paymentId, state.accounts);
      if (check.request === null) {
        set({ paymentAttempted: true });
        return;
      }
      set({ paymentSubmitting: true, paymentAttempted: true, paymentFailure: null });
      const result = await client.invoke('payment-submit', confirmDuplicate ? { ...check.request, confirmDuplicate } : check.request);
      if (!result.ok) {
        // Keep the same id: a retry of this form must reach the same payment.
        set({ paymentSubmitting: false, paymentFailure: result });
        return;
      }
      const outcome = result.value;
      set({ paymentSubmitting: false, paymentOutcome: outcome });
      get().noteLastPayment({ paymentId: outcome.paymentId, status: outcome.status, code: outcome.code });
      requestRefresh();
    },
    startNewPayment() {
      const { debtor, creditor } = get().paymentDraft;
      set({
        paymentDraft: { ...emptyPaymentDraft, debtor, creditor },
        paymentId: createPaymentId(),
        paymentAttempted: false,
        paymentOutcome: null,
        paymentFailure: null,
      });
    },
  });
}

/** The payment history: filters and cursor paging, newest page first. */
export function createPaymentHistorySlice(client: PayDeskClient): SliceCreator<PaymentHistorySlice> {
  return (set, get) => {
    async function fetchPage(cursor: string | null, newerCursors: (string | null)[]) {
      set({ paymentsLoading: true });
      const filter = get().paymentFilter;
      const result = await client.invoke('payment-list', paymentListRequest(filter, cursor));
      // A newer filter replaced this one while the page was on its way.
      if (get().paymentFilter !== filter) return;
      if (!result.ok) {
        set({ paymentsLoading: false, paymentsError: result });
        return;
      }
      set({
        paymentsLoading: false,
        paymentsError: null,
        paymentRecords: result.value.items,
        paymentCursor: cursor,
        paymentNewerCursors: newerCursors,
        paymentNextCursor: result.value.nextCursor,
      });
    }

    return {
      paymentFilter: emptyPaymentFilter,
      paymentRecords: [],
      paymentCursor: null,
      paymentNewerCursors: [],
      paymentNextCursor: null,
      paymentsLoading: false,
      paymentsError: null,
      async setPaymentFilter(change) {
        set({ paymentFilter: { ...get().paymentFilter, ...change } });
        await fetchPage(null, []);
      },
      async loadPayments() {
        await fetchPage(get().paymentCursor, get().paymentNewerCursors);
      },
      async showOlderPayments() {
        const { paymentNextCursor, paymentCursor, paymentNewerCursors } = get();
        if (paymentNextCursor === null) return;
        await fetchPage(paymentNextCursor, [...paymentNewerCursors, paymentCursor]);
      },
      async showNewerPayments() {
        const newerCursors = get().paymentNewerCursors;
        if (newerCursors.length === 0) return;
        await fetchPage(newerCursors[newerCursors.length - 1], newerCursors.slice(0, -1));
      },
    };
  };
}
