import path from 'node:path';
import { Engine } from '../../electron/core/engine';
import { sessionHeaderName, startHost } from '../../electron/host/server';
import { elapsedMs, quantile, type BenchCase, type Figure } from './harness';
import { durabilityFloorFigures } from './floors';

const sequentialPayments = 10_000;
const concurrentPayments = 40_000;
const paymentsInFlight = 64;

async function openFunded(folder: string, name: string): Promise<Engine> {
  const engine = await Engine.open(path.join(folder, `${name}.paydesk`), { create: true });
  await engine.invoke('account-create', { code: 'PAYER', name: 'Payer', currency: 'EUR', openingBalance: '900000000.00' });
  await engine.invoke('account-create', { code: 'PAYEE', name: 'Payee', currency: 'EUR' });
  return engine;
}

/**
 * Each payment carries a reference of its own, as real ones do: through the host an operator's
 * session is checked for possible duplicates (same accounts, amount and reference within minutes),
 * so identical payments after the first would be refused with POSSIBLE_DUPLICATE.
 */
function request(paymentId: string) {
  return { paymentId, debtor: 'PAYER', creditor: 'PAYEE', amount: '1.00', currency: 'EUR', reference: `Invoice ${paymentId}` };
}

/**
 * 10,000 sequential payments in the engine, each acknowledged only once durable;
 * right after them, the durability floor under their PLT on the same disk.
 */
export const realtimeSequential: BenchCase = {
  name: 'real-time, sequential, in-engine',
  async run({ workFolder }) {
    const engine = await openFunded(workFolder, `sequential-${Date.now()}`);
    const latenciesUs: number[] = [];
    const startNs = process.hrtime.bigint();
    for (let index = 0; index < sequentialPayments; index++) {
      const result = await engine.invoke('payment-submit', request(`S-${index}`));
      if (!result.ok || result.value.status !== 'accepted') throw new Error(`payment S-${index} failed`);
      latenciesUs.push(result.value.pltUs ?? Number.NaN);
    }
    const totalMs = elapsedMs(startNs);
    await engine.close();
    const durabilityFloor = await durabilityFloorFigures(workFolder);
    latenciesUs.sort((left, right) => left - right);
    return [
      { name: 'PLT p50', value: quantile(latenciesUs, 0.5) / 1000, unit: 'ms' },
      { name: 'PLT p99', value: quantile(latenciesUs, 0.99) / 1000, unit: 'ms', target: { kind: 'max', value: 1 } },
      { name: 'sequential throughput', value: (sequentialPayments / totalMs) * 1000, unit: 'payments/s' },
      ...durabilityFloor,
    ];
  },
};

/** 64 payments in flight at once: group commit shares each flush among them. */
export const realtimeConcurrent: BenchCase = {
  name: 'real-time, 64 in flight, in-engine',
  async run({ workFolder }) {
    const engine = await openFunded(workFolder, `concurrent-${Date.now()}`);
    let next = 0;
    const startNs = process.hrtime.bigint();
    const worker = async () => {
      while (next < concurrentPayments) {
        const result = await engine.invoke('payment-submit', request(`C-${next++}`));
        if (!result.ok || result.value.status !== 'accepted') throw new Error('a concurrent payment failed');
      }
    };
    await Promise.all(Array.from({ length: paymentsInFlight }, worker));
    const totalMs = elapsedMs(startNs);
    await engine.close();
    return [{ name: 'concurrent throughput', value: (concurrentPayments / totalMs) * 1000, unit: 'payments/s', target: { kind: 'min', value: 20_000 } }];
  },
};

/** The same sequential payments through the loopback host over HTTP, as the browser UI sends them. */
export const realtimeHost: BenchCase = {
  name: 'real-time, sequential, through the loopback host',
  async run({ workFolder }) {
    const ledgerPath = path.join(workFolder, `host-${Date.now()}.paydesk`);
    const host = await startHost({ ledgerPath, port: 0, rendererFolder: workFolder });
    const headers: Record<string, string> = { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' };
    const post = async (channel: string, body: unknown) => {
      const response = await fetch(`http://127.0.0.1:${host.port}/api/${channel}`, { method: 'POST', headers, body: JSON.stringify(body) });
      return (await response.json()) as { ok: boolean; code?: string; message?: string; value?: { status: string; pltUs: number; sessionId?: string } };
    };
    // The first administrator, as the first start of the UI creates it; every call after carries the session.
    const signedIn = await post('session-setup', { username: 'bench', displayName: 'Bench', password: 'bench-password-1' });
    if (!signedIn.ok || signedIn.value?.sessionId === undefined) throw new Error('the bench could not sign in');
    headers[sessionHeaderName] = signedIn.value.sessionId;
    await post('account-create', { code: 'PAYER', name: 'Payer', currency: 'EUR', openingBalance: '900000000.00' });
    await post('account-create', { code: 'PAYEE', name: 'Payee', currency: 'EUR' });
    const roundTripsUs: number[] = [];
    for (let index = 0; index < sequentialPayments; index++) {
      const startNs = process.hrtime.bigint();
      const result = await post('payment-submit', request(`H-${index}`));
      roundTripsUs.push(Number(process.hrtime.bigint() - startNs) / 1000);
      if (!result.ok || result.value?.status !== 'accepted') {
        throw new Error(`host payment H-${index} failed: ${result.code ?? result.value?.status} ${result.message ?? ''}`);
      }
    }
    await host.close();
    roundTripsUs.sort((left, right) => left - right);
    return [
      { name: 'HTTP round trip p50', value: quantile(roundTripsUs, 0.5) / 1000, unit: 'ms' },
      { name: 'HTTP round trip p99', value: quantile(roundTripsUs, 0.99) / 1000, unit: 'ms', target: { kind: 'max', value: 5 } },
    ] satisfies Figure[];
  },
};
