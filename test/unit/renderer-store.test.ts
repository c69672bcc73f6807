import { beforeEach, describe, expect, it } from 'vitest';
import type { ChannelName, RequestOf } from '../../shared/contract';
import type { Account, PaymentOutcome } from '../../shared/domain';
import { failure, success, type Result } from '../../shared/result';
import type { PayDeskClient } from '../../renderer/src/api/client';
import { createPayDeskStore, resetPayDeskStore, type PayDeskStore } from '../../renderer/src/store';

type Call = { name: ChannelName; request: unknown };

function account(code: string): Account {
  return {
    code, name: code, currency: 'EUR', kind: 'customer', status: 'open', overdraftLimitMinor: 0, balanceMinor: 10_000, reservedMinor: 0, createdAtMs: 0,
  };
}

/** A client whose answers the test decides; every call is recorded. */
function fakeClient(answer: (name: ChannelName, request: unknown) => Result<unknown> | Promise<Result<unknown>>) {
  const calls: Call[] = [];
  const client: PayDeskClient = {
    invoke: async (name, request) => {
      calls.push({ name, request });
      return (await answer(name, request)) as never;
    },
    on: () => () => {},
    onConnectionChange: () => () => {},
    connectionState: () => 'connected',
  };
  return { client, calls };
}

function accepted(paymentId: string): PaymentOutcome {
  return { paymentId, status: 'accepted', code: 'ACSC', message: 'ok', pltUs: 900, replayed: false };
}

function fillValidPayment(store: PayDeskStore) {
  store.setState({ accounts: [account('A'), account('B')] });
  store.getState().setPaymentDraft({ debtor: 'A', creditor: 'B', amount: '12.50' });
}

describe('payment form state', () => {
  let release: () => void;
  let store: PayDeskStore;
  let calls: Call[];

  beforeEach(() => {
    const fake = fakeClient((name, request) => {
      if (name !== 'payment-submit') return success([]);
      const paymentId = (request as RequestOf<'payment-submit'>).paymentId;
      return new Promise((resolve) => (release = () => resolve(success(accepted(paymentId)))));
    });
    store = createPayDeskStore(fake.client);
    calls = fake.calls;
  });

  it('sends a double click once, with the form payment id', async () => {
    fillValidPayment(store);
    const first = store.getState().submitPayment();
    const second = store.getState().submitPayment();
    expect(store.getState().paymentSubmitting).toBe(true);
    release();
    await Promise.all([first, second]);
    const submits = calls.filter((call) => call.name === 'payment-submit');
    expect(submits).toHaveLength(1);
    expect((submits[0].request as RequestOf<'payment-submit'>).paymentId).toBe(store.getState().paymentId);
    expect(store.getState().paymentOutcome?.status).toBe('accepted');
    expect(store.getState().lastPayment?.code).toBe('ACSC');
  });

  it('does not send a form that fails its checks', async () => {
    store.setState({ accounts: [account('A')] });
    store.getState().setPaymentDraft({ debtor: 'A', creditor: 'A', amount: '1' });
    await store.getState().submitPayment();
    expect(calls.filter((call) => call.name === 'payment-submit')).toHaveLength(0);
    expect(store.getState().paymentAttempted).toBe(true);
  });

  it('gives the next payment a fresh id and keeps the chosen accounts', async () => {
    fillValidPayment(store);
    const submitted = store.getState().submitPayment();
    release();
    await submitted;
    const firstId = store.getState().paymentId;
    store.getState().startNewPayment();
    expect(store.getState().paymentId).not.toBe(firstId);
    expect(store.getState().paymentOutcome).toBeNull();
    expect(store.getState().paymentDraft).toEqual({ debtor: 'A', creditor: 'B', amount: '', reference: '' });
  });
});

describe('payment retry after a transport failure', () => {
  it('reuses the same payment id so the engine can answer with the first outcome', async () => {
    let reachable = false;
    const fake = fakeClient((name, request) => {
      if (name !== 'payment-submit') return success([]);
      if (!reachable) return failure('INTERNAL', 'The PayDesk engine is not reachable.');
      return success({ ...accepted((request as RequestOf<'payment-submit'>).paymentId), replayed: true });
    });
    const store = createPayDeskStore(fake.client);
    fillValidPayment(store);
    await store.getState().submitPayment();
    expect(store.getState().paymentFailure?.code).toBe('INTERNAL');
    reachable = true;
    await store.getState().submitPayment();
    const ids = fake.calls.filter((call) => call.name === 'payment-submit').map((call) => (call.request as RequestOf<'payment-submit'>).paymentId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    expect(store.getState().paymentOutcome?.replayed).toBe(true);
    expect(store.getState().paymentFailure).toBeNull();
  });
});

describe('payment history paging', () => {
  it('walks older with the next cursor and back newer through the visited cursors', async () => {
    const pages: Record<string, { items: never[]; nextCursor: string | null }> = {
      newest: { items: [], nextCursor: 'c1' },
      c1: { items: [], nextCursor: 'c2' },
      c2: { items: [], nextCursor: null },
    };
    const fake = fakeClient((name, request) => {
      const cursor = (request as RequestOf<'payment-list'>).cursor ?? 'newest';
      return name === 'payment-list' ? success(pages[cursor]) : success([]);
    });
    const store = createPayDeskStore(fake.client);
    await store.getState().setPaymentFilter({ status: 'rejected', fromDate: '2025-01-01' });
    await store.getState().showOlderPayments();
    await store.getState().showOlderPayments();
    expect(store.getState().paymentCursor).toBe('c2');
    expect(store.getState().paymentNextCursor).toBeNull();
    await store.getState().showNewerPayments();
    expect(store.getState().paymentCursor).toBe('c1');
    await store.getState().showNewerPayments();
    expect(store.getState().paymentCursor).toBeNull();
    expect(store.getState().paymentNewerCursors).toEqual([]);
    const lastRequest = fake.calls.at(-1)?.request as RequestOf<'payment-list'>;
    expect(lastRequest.status).toBe('rejected');
    expect(lastRequest.fromMs).toBe(new Date(2025, 0, 1).getTime());
    expect(lastRequest.toMs).toBeUndefined();
  });

  it('starts again from the newest page when a filter changes', async () => {
    const fake = fakeClient((name) => (name === 'payment-list' ? success({ items: [], nextCursor: 'more' }) : success([])));
    const store = createPayDeskStore(fake.client);
    await store.getState().setPaymentFilter({});
    await store.getState().showOlderPayments();
    expect(store.getState().paymentCursor).toBe('more');
    await store.getState().setPaymentFilter({ account: 'A' });
    expect(store.getState().paymentCursor).toBeNull();
    expect(store.getState().paymentNewerCursors).toEqual([]);
  });
});

describe('store reset', () => {
  it('returns to the first state with a new payment id', () => {
    const store = createPayDeskStore(fakeClient(() => success([])).client);
    const firstId = store.getState().paymentId;
    store.setState({ accounts: [account('A')], connection: 'unreachable' });
    resetPayDeskStore(store);
    expect(store.getState().accounts).toEqual([]);
    expect(store.getState().connection).toBe('connecting');
    expect(store.getState().paymentId).not.toBe(firstId);
  });
});
