import type { StateCreator } from 'zustand';
import type { AccountsSlice } from './accounts-slice';
import type { LedgerSlice } from './ledger-slice';
import type { PaymentsSlice } from './payments-slice';

export type PayDeskState = LedgerSlice & AccountsSlice & PaymentsSlice;

export type SliceCreator<Slice> = StateCreator<PayDeskState, [], [], Slice>;
