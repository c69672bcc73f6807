import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { parseMt940File } from '../../electron/core/reconciliation/statement-mt940';
import { systemContext } from '../../electron/core/security/call-context';
import { channelNames, channels, type ChannelName } from '../../shared/contract';
import type { Result } from '../../shared/result';
import { useTempFolder } from '../support/temp-folder';
import { withOperators } from '../support/operators';

/**
 * Hostile input, property-based: malformed requests at every channel,
 * malformed CSV and camt.053 files at both importers, and random payment
 * sequences with four-eyes decisions. Afterwards verify passes, and a
 * refusal never leaves anything behind.
 */
const newFolder = useTempFolder('paydesk-fuzz-');
const fixtures = path.join(import.meta.dirname, '../fixtures');

async function openLedger() {
  const ledgerPath = path.join(newFolder(), 'ledger.paydesk');
  const engine = await Engine.open(ledgerPath, { create: true });
  await engine.invoke('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '1000.00' });
  await engine.invoke('account-create', { code: 'BOB', name: 'Bob', currency: 'EUR', overdraftLimit: '50.00' });
  await engine.invoke('account-create', { code: 'CAROL', name: 'Carol', currency: 'JPY', openingBalance: '500' });
  return { engine, ledgerPath };
}

/** Everything a change would touch, counted: equal fingerprints mean nothing was written. */
/** What a refusal must leave as it was: everything but the audit trail, where a refused change may add its entry. */
function fingerprint(engine: Engine): string {
  const tables = ['accounts', 'payments', 'audit', 'approvals', 'operators', 'settings', 'batches', 'reconciliation_runs', 'account_identifiers'];
  const present = new Set(engine.store.database.rows("SELECT name FROM sqlite_master WHERE type = 'table'").map(([name]) => String(name)));
  const counts = tables.filter((table) => present.has(table)).map((table) => `${table}:${engine.store.database.value(`SELECT COUNT(*) FROM ${table}`)}`);
  const balances = engine.listAccounts(undefined).map((account) => `${account.code}=${account.balanceMinor}/${account.status}`);
  return [...counts, ...balances].join(' ');
}

function isResult(value: Result<unknown>): boolean {
  return value.ok === true ? 'value' in value : typeof value.code === 'string' && typeof value.message === 'string' && value.message !== '';
}

/** Requests shaped like the channel's own (its field names) with values of any type, or anything at all. */
function requestArbitrary(name: ChannelName): fc.Arbitrary<unknown> {
  const shape = (channels[name].request as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  const keys = Object.keys(shape);
  const shaped = keys.length === 0 ? fc.constant({}) : fc.dictionary(fc.constantFrom(...keys), fc.anything(), { maxKeys: keys.length });
  return fc.oneof(fc.anything(), shaped, fc.dictionary(fc.string(), fc.anything()), fc.string({ maxLength: 300 }));
}

/** Channels whose valid requests start work that outlives the call or ends the session under test; fuzzed for malformed input only. */
const sideEffectChannels = new Set<ChannelName>(['demo-load-start', 'session-sign-out', 'backup-create', 'backup-folder-set']);

describe('hostile input', () => {
  it('answers every channel with a Result, never INTERNAL, and a refusal writes nothing', async () => {
    const { engine } = await openLedger();
    const { admin } = await withOperators(engine, {});
    for (const name of channelNames) {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(name), async (request) => {
          const parsed = channels[name].request.safeParse(request ?? {});
          if (parsed.success && sideEffectChannels.has(name)) return;
          const before = fingerprint(engine);
          const auditBefore = Number(engine.store.database.value('SELECT COUNT(*) FROM audit'));
          const result = await engine.dispatch(name, request, admin.context);
          expect(isResult(result), `${name} ${JSON.stringify(result)}`).toBe(true);
          if (!result.ok) {
            expect(result.code, `${name}: ${result.message}`).not.toBe('INTERNAL');
            expect(fingerprint(engine), name).toBe(before);
            const added = engine.store.database.all<{ outcome: string }>('SELECT outcome FROM audit WHERE seq > ?', [auditBefore]);
            expect(added.every((entry) => entry.outcome === `refused ${result.code}`), name).toBe(true);
            expect(added.length).toBeLessThanOrEqual(1);
          }
        }),
        { numRuns: 40, seed: 8 },
      );
    }
    expect(engine.verify()).toMatchObject({ ok: true, problems: [] });
    await engine.close();
  });

  it('never admits a malformed channel name, request or session', async () => {
    const { engine } = await openLedger();
    const before = fingerprint(engine);
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.anything(), fc.option(fc.string(), { nil: null }), async (name, request, sessionKey) => {
        const result = await engine.dispatch(name, request, { kind: 'http', sessionKey });
        expect(result.ok === false || channelNames.includes(name as ChannelName)).toBe(true);
        if (!result.ok) expect(['UNKNOWN_CHANNEL', 'SIGN_IN_REQUIRED', 'FF01', 'SETUP_DONE', 'SIGN_IN_FAILED']).toContain(result.code);
      }),
      { numRuns: 300, seed: 9 },
    );
    expect(fingerprint(engine).replace(/audit:\d+/, '')).toBe(before.replace(/audit:\d+/, ''));
    await engine.close();
  });

  it('refuses malformed CSV and camt.053 statements at the reconciliation importer without writing a run', async () => {
    const { engine } = await openLedger();
    const outcomes = new Map<string, number>();
    const seeds = ['statement.camt053.xml', 'statement-quirks.csv', 'bad-truncated.camt053.xml', 'envelope-two-accounts.camt053.xml'].map((name) =>
      readFileSync(path.join(fixtures, 'reconciliation', name), 'utf8'),
    );
    await fc.assert(
      fc.asyncProperty(mutatedText(seeds), async (text) => {
        const before = fingerprint(engine);
        const upload = await engine.invoke('reconciliation-upload', { uploadId: null, fileName: 'fuzz.txt', offset: 0, text });
        expect(upload.ok || upload.code !== 'INTERNAL').toBe(true);
        if (!upload.ok) return;
        const run = await engine.invoke('reconciliation-run', { uploadId: upload.value.uploadId, account: 'ALICE', statement: 0 });
        outcomes.set(run.ok ? 'ok' : run.code, (outcomes.get(run.ok ? 'ok' : run.code) ?? 0) + 1);
        if (!run.ok) {
          expect(run.code, run.message).not.toBe('INTERNAL');
          expect(fingerprint(engine)).toBe(before);
        }
      }),
      { numRuns: 120, seed: 10 },
    );
    // Both kinds of answer were exercised: some mutated files still reconcile, most are refused with a reason.
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    expect([...outcomes.keys()].length).toBeGreaterThan(1);
    expect(engine.verify()).toMatchObject({ ok: true });
    await engine.close();
  });

  it('refuses malformed MT940 files at the reconciliation importer without writing a run, and never fails inside', async () => {
    const { engine } = await openLedger();
    const outcomes = new Map<string, number>();
    const seed = readFileSync(path.join(fixtures, 'reconciliation', 'two-statements.mt940'), 'utf8');
    const seeds = [seed, seed.replace(/\r\n/g, '\n'), seed.slice(0, seed.indexOf('-\r\n') + 3)];
    await fc.assert(
      fc.asyncProperty(mutatedText(seeds, mt940Hostile), async (text) => {
        const before = fingerprint(engine);
        const upload = await engine.invoke('reconciliation-upload', { uploadId: null, fileName: 'fuzz.sta', offset: 0, text });
        if (!upload.ok) return void expect(upload.code).not.toBe('INTERNAL');
        const inspected = await engine.invoke('reconciliation-inspect', { uploadId: upload.value.uploadId, account: 'ALICE' });
        const run = await engine.invoke('reconciliation-run', { uploadId: upload.value.uploadId, account: 'ALICE', statement: 0 });
        outcomes.set(run.ok ? 'ok' : run.code, (outcomes.get(run.ok ? 'ok' : run.code) ?? 0) + 1);
        expect(inspected.ok || inspected.code !== 'INTERNAL').toBe(true);
        if (!run.ok) {
          expect(run.code, run.message).not.toBe('INTERNAL');
          expect(run.message).not.toBe('');
          expect(fingerprint(engine)).toBe(before);
        }
      }),
      { numRuns: 150, seed: 13 },
    );
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('FF01') ?? 0).toBeGreaterThan(0);
    expect(engine.verify()).toMatchObject({ ok: true });
    await engine.close();
  });

  it('reads any well-formed MT940 statement back exactly: every amount, mark and balance', () => {
    const line = fc.record({
      cents: fc.integer({ min: 1, max: 99_999_999_999 }),
      mark: fc.constantFrom('C', 'D', 'RC', 'RD'),
      day: fc.integer({ min: 1, max: 28 }),
      reference: fc.stringMatching(/^[A-Z0-9-]{1,16}$/),
    });
    fc.assert(
      fc.property(fc.integer({ min: -1e11, max: 1e11 }), fc.array(line, { minLength: 1, maxLength: 30 }), fc.boolean(), (openingCents, lines, crlf) => {
        const signed = (cents: number) => `${cents < 0 ? 'D' : 'C'}240301EUR${mt940Amount(Math.abs(cents))}`;
        const credits = (mark: string) => mark === 'C' || mark === 'RD';
        const closingCents = lines.reduce((sum, entry) => sum + (credits(entry.mark) ? entry.cents : -entry.cents), openingCents);
        const body = [':20:FUZZ', ':25:DE89370400440532013000', `:60F:${signed(openingCents)}`];
        for (const entry of lines) {
          const date = `2403${String(entry.day).padStart(2, '0')}`;
          body.push(`:61:${date}${entry.mark}${mt940Amount(entry.cents)}NTRF${entry.reference}//X`, `:86:?20EREF+${entry.reference}`);
        }
        body.push(`:62F:${signed(closingCents)}`, '-');
        const parsed = parseMt940File(body.join(crlf ? '\r\n' : '\n'));
        if (!parsed.ok) throw new Error(parsed.message);
        const [statement] = parsed.value.statements;
        expect(statement.openingBalanceMinor).toBe(openingCents);
        expect(statement.closingBalanceMinor).toBe(closingCents);
        expect(statement.lines.map((entry) => entry.amountMinor)).toEqual(lines.map((entry) => (credits(entry.mark) ? entry.cents : -entry.cents)));
        expect(statement.lines.map((entry) => entry.endToEndId)).toEqual(lines.map((entry) => entry.reference));
      }),
      { numRuns: 300, seed: 14 },
    );
  });

  it('takes malformed batch files through upload, validation and processing without an internal error or a broken invariant', async () => {
    const { engine } = await openLedger();
    let paidBatches = 0;
    const seeds = ['default-lf.csv', 'quoted-fields.csv', 'semicolon.csv', 'bom-crlf.csv'].map((name) =>
      readFileSync(path.join(fixtures, 'batch', name), 'utf8'),
    );
    await fc.assert(
      fc.asyncProperty(mutatedText(seeds), async (text) => {
        const refusal = (result: Result<unknown>) => {
          if (!result.ok) expect(result.code, result.message).not.toBe('INTERNAL');
          return !result.ok;
        };
        const upload = await engine.invoke('batch-upload', { fileId: null, fileName: 'fuzz.csv', offset: 0, text });
        if (refusal(upload) || !upload.ok) return;
        const preview = await engine.invoke('batch-inspect', { fileId: upload.value.fileId });
        if (refusal(preview) || !preview.ok) return;
        const validation = await engine.invoke('batch-validate', { fileId: upload.value.fileId, mapping: preview.value.suggestedMapping });
        if (refusal(validation) || !validation.ok) return;
        const started = await engine.invoke('batch-start', { batchId: validation.value.batch.batchId });
        if (refusal(started) || !started.ok) return;
        await finished(engine, validation.value.batch.batchId);
        paidBatches += 1;
      }),
      { numRuns: 40, seed: 11 },
    );
    expect(paidBatches).toBeGreaterThan(0);
    expect(engine.verify()).toMatchObject({ ok: true, problems: [] });
    await engine.close();
  });

  it('keeps every invariant through random payments, holds and decisions, live and after replay', async () => {
    const { engine, ledgerPath } = await openLedger();
    const { admin, otto, april } = await withOperators(engine, { otto: 'operator', april: 'approver' });
    await admin.call('approval-threshold-set', { currency: 'EUR', amount: '300.00' });
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('pay' as const),
        id: fc.integer({ min: 1, max: 400 }).map((index) => `R-${index}`),
        debtor: fc.constantFrom('ALICE', 'ALICE', 'ALICE', 'BOB', 'CAROL', 'NOBODY', 'EQUITY-EUR'),
        creditor: fc.constantFrom('BOB', 'BOB', 'ALICE', 'CAROL'),
        amount: fc.oneof(fc.integer({ min: -5, max: 90_000 }).map((cents) => (cents / 100).toFixed(2)), fc.constantFrom('1e3', '0', '12.345', '')),
        currency: fc.constantFrom('EUR', 'EUR', 'EUR', 'JPY', 'USD'),
      }),
      // A decision on one of the payments waiting (picked by index), or on an id that is not waiting.
      fc.record({ kind: fc.constantFrom('approve' as const, 'reject' as const), pick: fc.nat(), id: fc.constantFrom('R-1', 'NONE') }),
    );
    const submit = (action: { id: string; debtor: string; creditor: string; amount: string; currency: string }) =>
      otto.call('payment-submit', { paymentId: action.id, debtor: action.debtor, creditor: action.creditor, amount: action.amount, currency: action.currency });
    const decide = (verb: 'approve' | 'reject', pick: number, fallback: string) => {
      const waiting = engine.controls.approvals.list('pending');
      const paymentId = waiting.length === 0 ? fallback : waiting[pick % waiting.length].paymentId;
      return april.call(verb === 'approve' ? 'approval-approve' : 'approval-reject', { paymentId });
    };
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        for (const action of steps) {
          const result = action.kind === 'pay' ? await submit(action) : await decide(action.kind, action.pick, action.id);
          expect(isResult(result)).toBe(true);
          if (!result.ok) expect(result.code).not.toBe('INTERNAL');
        }
        expectAvailableNeverBelowFloor(engine);
      }),
      { numRuns: 30, seed: 12 },
    );
    const decided = engine.store.database.rows('SELECT DISTINCT status FROM approvals ORDER BY status').map(([status]) => status);
    expect(decided).toEqual(expect.arrayContaining(['approved', 'rejected']));
    const live = fingerprint(engine);
    expect(engine.verify()).toMatchObject({ ok: true, problems: [] });
    await engine.close();
    const replayed = await Engine.open(ledgerPath, { create: true });
    expect(fingerprint(replayed)).toBe(live);
    expect(replayed.verify()).toMatchObject({ ok: true, problems: [] });
    await replayed.close();
  });
});

function expectAvailableNeverBelowFloor(engine: Engine) {
  for (const account of engine.listAccounts(undefined)) {
    if (account.kind === 'equity') continue;
    const available = account.balanceMinor - engine.controls.approvals.reservedMinor(account.code);
    expect(available, account.code).toBeGreaterThanOrEqual(-account.overdraftLimitMinor);
  }
}

/** MT940's own hostile pieces: tags, separators, marks, subfield markers, SWIFT blocks, huge and malformed amounts and dates. */
const mt940Hostile = fc.constantFrom(
  ':61:', ':86:', ':62F:', ':60F:', ':20:', ':25:', '?20', '?', ',', '.', 'RC', 'RD', 'C', 'D', '\r\n', '\n', '-', '-}', '{4:', '{1:F01', '//',
  '999999999999999,99', '991332', 'NTRF', 'EREF+', '\u0000', '\ufeff', ' ',
);

/** A statement amount as MT940 writes it: whole units, a decimal comma, two decimals. */
function mt940Amount(cents: number): string {
  return `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}`;
}

/** A real file cut, spliced, doubled or sprinkled with hostile characters; or random text. */
function mutatedText(seeds: string[], hostilePieces?: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const hostile = hostilePieces ?? fc.constantFrom(
    '"', ',', ';', '\n', '\r', '<', '>', '&', '=', '-', '\u0000', '\ufeff', '1e999', '99999999999999999999', '</Ntry>', '<Amt Ccy="EUR">',
  );
  const mutation = fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat(), fc.array(hostile, { maxLength: 6 }));
  return fc.oneof(
    mutation.map(([seed, at, length, inserts]) => {
      const cut = at % (seed.length + 1);
      return seed.slice(0, cut) + inserts.join('') + seed.slice(cut + (length % 40));
    }),
    fc.string({ maxLength: 400 }),
    fc.constantFrom(...seeds).map((seed) => seed.slice(0, seed.length >> 1)),
  );
}

async function finished(engine: Engine, batchId: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const batch = await engine.invoke('batch-get', { batchId });
    if (!batch.ok || batch.value.status !== 'running') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`batch ${batchId} is still running`);
}
