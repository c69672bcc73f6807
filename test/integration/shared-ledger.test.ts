import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { batchService } from '../../electron/core/batch/batch-handlers';
import { batchFolder } from '../../electron/core/batch/batch-files';
import { Engine } from '../../electron/core/engine';
import { currentScope, runInScope } from '../../electron/core/security/call-context';
import { displayLocation, isSharedLedgerUrl, locationInWords, sharedSchemaVersion, storeSnapshot } from '../../electron/core/storage/postgres-log';
import { generateBatch } from '../../scripts/generate-batch';
import { withOperators, signIn } from '../support/operators';
import { backends, newLedgerLocation, newPostgresDatabase, postgresTestsRun } from '../support/postgres';
import { runCli, runMain } from '../support/run-cli';
import { useTempFolder } from '../support/temp-folder';
import { uploadAndValidate } from '../support/batch-steps';

/**
 * The engine's integration path against each storage back end: the ledger
 * file and, where PAYDESK_TEST_PG_URL names a server, a shared ledger in
 * PostgreSQL (test/support/postgres.ts).
 */
const newFolder = useTempFolder('paydesk-shared-');

async function balances(engine: Engine): Promise<Record<string, number>> {
  const listed = await engine.invoke('account-list', {});
  if (!listed.ok) throw new Error(listed.message);
  return Object.fromEntries(listed.value.map((account) => [account.code, account.balanceMinor]));
}

async function createAccount(engine: Engine, code: string, openingBalance = '0', overdraftLimit = '0') {
  const created = await engine.invoke('account-create', { code, name: code, currency: 'EUR', openingBalance, overdraftLimit });
  if (!created.ok) throw new Error(created.message);
}

const pay = (engine: Engine, paymentId: string, debtor: string, creditor: string, amount: string) =>
  engine.invoke('payment-submit', { paymentId, debtor, creditor, amount, currency: 'EUR' });

/** A new shared ledger with the accounts ALICE and BOB in EUR, and the engine that created it. */
async function sharedLedgerWithAliceAndBob(
  balances: { alice: string; bob?: string; aliceOverdraft?: string },
  options: Parameters<typeof Engine.open>[1] = {},
): Promise<{ location: string; engine: Engine }> {
  const location = await newPostgresDatabase();
  const engine = await Engine.open(location, { ...options, create: true });
  await createAccount(engine, 'ALICE', balances.alice, balances.aliceOverdraft);
  await createAccount(engine, 'BOB', balances.bob);
  return { location, engine };
}

describe('naming a shared ledger', () => {
  it('takes postgres:// and postgresql:// URLs for a shared ledger and never shows the password', () => {
    expect(isSharedLedgerUrl('postgres://desk:secret@db:5432/books')).toBe(true);
    expect(isSharedLedgerUrl('POSTGRESQL://db/books')).toBe(true);
    expect(isSharedLedgerUrl('/home/ada/postgres://not-a-url.paydesk')).toBe(false);
    expect(isSharedLedgerUrl('books.paydesk')).toBe(false);
    expect(displayLocation('postgres://desk:secret@db:5432/books')).toBe('postgres://desk:***@db:5432/books');
    expect(displayLocation('books.paydesk')).toBe('books.paydesk');
  });

  it('names the database and the user in sentences as they were typed, not percent-encoded, and still never shows the password', () => {
    expect(locationInWords('postgres://back%20office:s%40cret@db:5432/books%202026?sslmode=require'))
      .toBe('postgres://back office:***@db:5432/books 2026?sslmode=require');
    expect(locationInWords('postgres://db/books')).toBe('postgres://db/books');
    expect(locationInWords('postgres://desk@db/100%25%zz')).toBe('postgres://desk@db/100%25%zz');
    expect(locationInWords('books.paydesk')).toBe('books.paydesk');
  });

  it('refuses the commands a shared ledger cannot run yet with SHARED_UNSUPPORTED, and one it cannot reach, without its password', async () => {
    const url = 'postgres://nobody:secret@127.0.0.1:1/none';
    for (const args of [['demo', '--db', url], ['init', '--db', url, '--demo']]) {
      const run = await runMain(args);
      expect(run, args.join(' ')).toMatchObject({ code: 1, stderr: expect.stringContaining('SHARED_UNSUPPORTED') });
      expect(run.stderr).not.toContain('secret');
    }
    const unreachable = await runMain(['balances', '--db', url]);
    expect(unreachable).toMatchObject({ code: 2, stderr: expect.stringContaining('SHARED_UNREACHABLE: The shared ledger at postgres://nobody:***@') });
    expect(unreachable.stderr).not.toContain('secret');
    expect(unreachable.stderr).toContain('nothing answers at 127.0.0.1 port 1 (the connection was refused)');
  });
});

describe.each(backends())('the engine on the %s back end', (backend) => {
  async function newLedger() {
    const location = await newLedgerLocation(backend, newFolder());
    return { location, engine: await Engine.open(location, { create: true }) };
  }

  it('pays, rejects with a code, answers a retry with the first outcome, refuses the same id for another payment, and keeps it all', async () => {
    const { location, engine } = await newLedger();
    await createAccount(engine, 'ALICE', '100.00');
    await createAccount(engine, 'BOB');
    expect(await pay(engine, 'P-1', 'ALICE', 'BOB', '25.50')).toMatchObject({ ok: true, value: { status: 'accepted', code: 'ACSC', replayed: false } });
    expect(await pay(engine, 'P-2', 'ALICE', 'BOB', '500.00')).toMatchObject({ ok: true, value: { status: 'rejected', code: 'AM04' } });
    expect(await pay(engine, 'P-1', 'ALICE', 'BOB', '25.50')).toMatchObject({ ok: true, value: { status: 'accepted', replayed: true } });
    expect(await pay(engine, 'P-1', 'ALICE', 'BOB', '25.51')).toMatchObject({ ok: false, code: 'DUPL' });
    expect(await pay(engine, 'P-3', 'NOBODY', 'BOB', '1.00')).toMatchObject({ ok: true, value: { status: 'rejected', code: 'AC01' } });
    expect(await engine.invoke('account-create', { code: 'ALICE', name: 'again', currency: 'EUR' })).toMatchObject({ ok: false, code: 'ACCOUNT_EXISTS' });
    expect(await balances(engine)).toMatchObject({ ALICE: 7_450, BOB: 2_550, 'EQUITY-EUR': -10_000 });
    await engine.close();
    const reopened = await Engine.open(location);
    expect(await balances(reopened)).toMatchObject({ ALICE: 7_450, BOB: 2_550, 'EQUITY-EUR': -10_000 });
    expect(await pay(reopened, 'P-2', 'ALICE', 'BOB', '500.00')).toMatchObject({ ok: true, value: { status: 'rejected', replayed: true } });
    expect(reopened.verify()).toMatchObject({ ok: true, checkedPayments: 4 });
    await reopened.close();
  });

  it('holds a payment above the threshold for a second approver, refuses an operator without the approver role, and keeps one audit chain', async () => {
    const { location, engine } = await newLedger();
    const callers = await withOperators(engine, { otto: 'operator', april: 'approver' });
    await callers.otto.call('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '1000.00' });
    await callers.otto.call('account-create', { code: 'BOB', name: 'Bob', currency: 'EUR' });
    await callers.admin.call('approval-threshold-set', { currency: 'EUR', amount: '500.00' });
    const big = { paymentId: 'BIG-1', debtor: 'ALICE', creditor: 'BOB', amount: '600.00', currency: 'EUR' } as const;
    expect(await callers.otto.call('payment-submit', big)).toMatchObject({ ok: true, value: { status: 'pending', code: 'PENDING_APPROVAL' } });
    expect(await callers.otto.call('payment-submit', { ...big, paymentId: 'P-2', amount: '400.01' })).toMatchObject({ ok: true, value: { code: 'AM04' } });
    expect(await callers.otto.call('approval-approve', { paymentId: 'BIG-1' })).toMatchObject({ ok: false, code: 'ROLE_REQUIRED' });
    expect(await callers.april.call('approval-approve', { paymentId: 'BIG-1' })).toMatchObject({ ok: true, value: { status: 'approved' } });
    expect(await balances(engine)).toMatchObject({ ALICE: 40_000, BOB: 60_000 });
    await engine.close();
    const reopened = await Engine.open(location);
    expect(reopened.verify()).toMatchObject({ ok: true, problems: [] });
    await reopened.close();
  });

  it('processes a batch in chunks, each row once, and a second run of the file pays nothing twice', async () => {
    const folder = newFolder();
    const { location, engine } = await newLedger();
    await createAccount(engine, 'ALICE', '1000000.00');
    await createAccount(engine, 'BOB', '1000000.00');
    const filePath = path.join(folder, 'batch.csv');
    await generateBatch(filePath, 240, 5, 'g5', ['ALICE', 'BOB']);
    const service = batchService(engine);
    service.chunkRows = 50;
    const text = readFileSync(filePath, 'utf8');
    const batchId = (await uploadAndValidate(engine.invoke.bind(engine), 'batch.csv', text)).batch.batchId;
    expect(await engine.invoke('batch-start', { batchId })).toMatchObject({ ok: true });
    expect(await service.whenStopped(batchId)).toMatchObject({ status: 'completed', rowsDone: 240 });
    await engine.close();
    const reopened = await Engine.open(location);
    // 240 rows and the two opening balances, each once.
    expect(reopened.verify()).toMatchObject({ ok: true, checkedPayments: 242 });
    await reopened.close();
  });
});

describe.runIf(postgresTestsRun())('a shared ledger on PostgreSQL', () => {
  it('lets two engines on one database pay from one account at once without passing its limit, each id once', async () => {
    const { location, engine: first } = await sharedLedgerWithAliceAndBob({ alice: '10.00', aliceOverdraft: '5.00' });
    const second = await Engine.open(location);
    const attempts = Array.from({ length: 40 }, (_, index) => [first, second][index % 2]);
    // Each 1.00; 15.00 may leave ALICE (10.00 and a 5.00 overdraft), the rest is AM04. Ids repeat across engines.
    const outcomes = await Promise.all(attempts.map((engine, index) => pay(engine, `C-${index % 30}`, 'ALICE', 'BOB', '1.00')));
    const accepted = new Set(outcomes.flatMap((outcome) => (outcome.ok && outcome.value.status === 'accepted' ? [outcome.value.paymentId] : [])));
    expect(accepted.size).toBe(15);
    expect(await balances(second)).toMatchObject({ ALICE: -500, BOB: 1_500 });
    expect(await balances(first)).toMatchObject({ ALICE: -500, BOB: 1_500 });
    expect(first.verify()).toMatchObject({ ok: true });
    expect(second.verify()).toMatchObject({ ok: true });
    await first.close();
    await second.close();
  });

  it('runs the turns one desk has in flight together in one hold of the lock, each payment decided on the balance the one before left', async () => {
    const { location, engine } = await sharedLedgerWithAliceAndBob({ alice: '40.00' });
    const before = engine.store.sharedTurnStats!;
    // 64 at once, 1.00 each, from 40.00: 40 accepted, 24 refused AM04, whatever order they run in.
    const outcomes = await Promise.all(Array.from({ length: 64 }, (_, index) => pay(engine, `G-${index}`, 'ALICE', 'BOB', '1.00')));
    const statuses = outcomes.map((outcome) => (outcome.ok ? `${outcome.value.status} ${outcome.value.code}` : outcome.code));
    expect(statuses.filter((status) => status === 'accepted ACSC')).toHaveLength(40);
    expect(statuses.filter((status) => status === 'rejected AM04')).toHaveLength(24);
    const after = engine.store.sharedTurnStats!;
    expect(after.turns - before.turns).toBe(64);
    // One hold for the first payment, one for the rest that queued behind it: never a hold per payment.
    expect(after.holds - before.holds).toBeLessThanOrEqual(4);
    const reopened = await Engine.open(location);
    expect(await balances(reopened)).toMatchObject({ ALICE: 0, BOB: 4_000 });
    expect(reopened.verify()).toMatchObject({ ok: true, problems: [] });
    await reopened.close();
    await engine.close();
  });

  it('keeps the text of frames committed together exactly: quotes, backslashes, array punctuation and characters beyond ASCII', async () => {
    const { location, engine } = await sharedLedgerWithAliceAndBob({ alice: '100.00' }, { liveUpdates: false });
    const references = [
      'say "hi"', 'C:\\pay\\ments', '{a,b}', "it's", 'Zürich — 東京 🙂', 'NULL', '$1 $2', '', '%s', '\\u0041', 'back`tick', '<a href="x">&amp;</a>',
    ];
    const holdsBefore = engine.store.sharedTurnStats!.holds;
    // One payment per reference, all at once: their frames share holds and so the commits that write several frames.
    const outcomes = await Promise.all(references.map((reference, index) =>
      engine.invoke('payment-submit', { paymentId: `Q-${index}`, debtor: 'ALICE', creditor: 'BOB', amount: '1.00', currency: 'EUR', reference })));
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(engine.store.sharedTurnStats!.holds - holdsBefore).toBeLessThan(references.length);
    const reopened = await Engine.open(location, { liveUpdates: false });
    const kept = await Promise.all(references.map((_, index) => reopened.invoke('payment-get', { paymentId: `Q-${index}` })));
    expect(kept.map((outcome) => (outcome.ok ? outcome.value.reference : outcome.message))).toEqual(references);
    expect(reopened.verify()).toMatchObject({ ok: true, problems: [] });
    await reopened.close();
    await engine.close();
  });

  it('pays one payment after another in two round trips each (take the turn and read, commit), and still lets another desk in between', async () => {
    const { location, engine: busy } = await sharedLedgerWithAliceAndBob({ alice: '1000.00' }, { liveUpdates: false });
    const other = await Engine.open(location, { liveUpdates: false });
    const before = busy.store.sharedTurnStats!;
    let paidInARow = 0;
    let otherDone: Promise<number> | null = null;
    for (let index = 0; index < 60; index++) {
      expect(await pay(busy, `ROW-${index}`, 'ALICE', 'BOB', '1.00')).toMatchObject({ ok: true, value: { status: 'accepted' } });
      paidInARow++;
      // The other desk asks once the busy one is in its stride; it must not wait for the whole run.
      if (index === 10) otherDone = pay(other, 'OTHER-1', 'ALICE', 'BOB', '1.00').then(() => paidInARow);
    }
    const after = busy.store.sharedTurnStats!;
    // Four each before: lock, read, commit, unlock. The last payment's unlock and a hold or two taken alone make the slack.
    expect(after.roundTrips - before.roundTrips).toBeLessThanOrEqual(60 * 2 + 4);
    expect(await otherDone).toBeLessThan(60);
    expect(await balances(busy)).toMatchObject({ ALICE: 100_000 - 6_100, BOB: 6_100 });
    expect(busy.verify()).toMatchObject({ ok: true, problems: [] });
    await other.close();
    await busy.close();
  });

  it('answers a turn when its handler is done, as on a file, and commits its frames before the lock goes: a batch reads on meanwhile', async () => {
    const location = await newPostgresDatabase();
    const engine = await Engine.open(location, { create: true, liveUpdates: false });
    const lsn = await engine.store.turn(async () => engine.store.commit([{ t: 'setting', key: 'test.answered-early', value: 'yes' }]));
    let durable = false;
    const waited = engine.store.whenDurable(lsn).then(() => (durable = true));
    await Promise.resolve();
    await Promise.resolve();
    // The commit is a round trip away: a handler that acknowledges something waits for whenDurable itself.
    expect(durable).toBe(false);
    await waited;
    const other = await Engine.open(location, { liveUpdates: false });
    expect(other.store.database.value("SELECT value FROM settings WHERE key = 'test.answered-early'")).toBe('yes');
    await other.close();
    await engine.close();
  });

  it("runs each turn in its own caller's action scope, also the turns that queued behind another for one hold", async () => {
    const location = await newPostgresDatabase();
    const engine = await Engine.open(location, { create: true, liveUpdates: false });
    const actions = ['first', 'second', 'third'];
    const holdsBefore = engine.store.sharedTurnStats!.holds;
    const seen = await Promise.all(actions.map((action) => {
      const caller = { username: `operator-${action}`, role: 'operator', signedIn: true, transport: 'system', sessionKey: null } as const;
      return runInScope({ caller, action, audited: false }, () => engine.store.turn(async () => currentScope()?.action));
    }));
    // The audit entry of a commit names the operator and action of its own scope, not those of the turn that took the lock.
    expect(seen).toEqual(actions);
    expect(engine.store.sharedTurnStats!.holds - holdsBefore).toBe(1);
    await engine.close();
  });

  it('opens from the newest snapshot and replays only the frames after it, including those of other desks', async () => {
    const { location, engine: first } = await sharedLedgerWithAliceAndBob({ alice: '100.00' });
    for (let index = 0; index < 20; index++) expect(await pay(first, `S-${index}`, 'ALICE', 'BOB', '1.00')).toMatchObject({ ok: true });
    await first.store.snapshotShared();
    expect(first.store.sharedTurnStats?.snapshots).toBe(1);
    const second = await Engine.open(location);
    const snapshotLsn = second.store.openReport.checkpointLsn;
    expect(snapshotLsn).toBeGreaterThan(20);
    expect(second.store.openReport.replayedRecords).toBeLessThanOrEqual(1);
    for (let index = 20; index < 25; index++) expect(await pay(second, `S-${index}`, 'ALICE', 'BOB', '1.00')).toMatchObject({ ok: true });
    // A snapshot older than the one held is never stored over it.
    expect(await storeSnapshot(location, first.store.exportImage(), snapshotLsn - 1)).toBe(false);
    const third = await Engine.open(location);
    expect(third.store.openReport.checkpointLsn).toBe(snapshotLsn);
    expect(third.store.openReport.replayedRecords).toBeGreaterThanOrEqual(5);
    expect(await balances(third)).toMatchObject({ ALICE: 7_500, BOB: 2_500 });
    expect(await pay(third, 'S-3', 'ALICE', 'BOB', '1.00')).toMatchObject({ ok: true, value: { replayed: true } });
    expect(third.verify()).toMatchObject({ ok: true, problems: [] });
    for (const engine of [first, second, third]) await engine.close();
  });

  it('writes snapshots by itself as the log outgrows the last one, during a batch', async () => {
    const { location, engine } = await sharedLedgerWithAliceAndBob({ alice: '1000000.00', bob: '1000000.00' }, { snapshotLogBytes: 64 * 1024 });
    const filePath = path.join(newFolder(), 'batch.csv');
    await generateBatch(filePath, 3_000, 7, 'SNAP', ['ALICE', 'BOB']);
    const service = batchService(engine);
    service.chunkRows = 100;
    const batchId = (await uploadAndValidate(engine.invoke.bind(engine), 'batch.csv', readFileSync(filePath, 'utf8'))).batch.batchId;
    expect(await engine.invoke('batch-start', { batchId })).toMatchObject({ ok: true });
    expect(await service.whenStopped(batchId)).toMatchObject({ status: 'completed', rowsDone: 3_000 });
    const balancesBefore = await balances(engine);
    // A snapshot is stored on a connection of its own while turns go on; closing waits for the one under way.
    await engine.close();
    expect(engine.store.sharedTurnStats!.snapshots).toBeGreaterThan(0);
    const reopened = await Engine.open(location);
    expect(reopened.store.openReport.checkpointLsn).toBeGreaterThan(0);
    expect(await balances(reopened)).toEqual(balancesBefore);
    expect(reopened.verify()).toMatchObject({ ok: true, problems: [] });
    await reopened.close();
  });

  it('runs a batch\'s next chunk while the last one is being committed, without letting go of the lock, for a bounded time', async () => {
    const { location, engine } = await sharedLedgerWithAliceAndBob({ alice: '1000000.00', bob: '1000000.00' });
    const filePath = path.join(newFolder(), 'batch.csv');
    await generateBatch(filePath, 20_000, 3, 'PIPE', ['ALICE', 'BOB']);
    const service = batchService(engine);
    service.chunkRows = 100;
    const fileId = await service.importFromDisk(filePath, 'batch.csv');
    const preview = await engine.invoke('batch-inspect', { fileId });
    const validation = preview.ok ? await engine.invoke('batch-validate', { fileId, mapping: preview.value.suggestedMapping }) : preview;
    if (!validation.ok) throw new Error(validation.message);
    const { batchId } = validation.value.batch;
    // Another session inserts the first row's payment id and leaves its transaction open: the commit of the first
    // chunk waits for it (a unique key in doubt), so that chunk's frames are still being committed when the run asks
    // for its next turn.
    const blocker = new pg.Client({ connectionString: location });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`INSERT INTO paydesk_payments (payment_id, seq, amount_minor, currency, accepted, code, lsn)
      VALUES ('PIPE-1', 999999999, 0, 'EUR', false, 'TEST', 0)`);
    const before = engine.store.sharedTurnStats!;
    expect(await engine.invoke('batch-start', { batchId })).toMatchObject({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const during = engine.store.sharedTurnStats!;
    await blocker.query('ROLLBACK');
    await blocker.end();
    expect(await service.whenStopped(batchId)).toMatchObject({ status: 'completed', rowsDone: 20_000, accepted: 20_000 });
    // Chunks after the first ran in its hold (pipelined), and not all 200 of them: past pipelinedHoldMs the hold
    // takes no more turns, so another desk gets the lock once the commit under way is done.
    expect(during.pipelined - before.pipelined).toBeGreaterThan(0);
    expect(during.turns - before.turns).toBeLessThan(100);
    // Turns the hold took over queued no holds of their own (the start's, the first chunk's, and the next one's): a
    // chain of empty holds would put a snapshot due meanwhile, which waits for the holds queued before it, far behind.
    expect(during.queued - before.queued).toBeLessThanOrEqual(3);
    expect(engine.verify()).toMatchObject({ ok: true, problems: [] });
    await engine.close();
  });

  it("counts every desk's traffic in the metrics: payments, PSR and each payment's PLT", async () => {
    const { location, engine: first } = await sharedLedgerWithAliceAndBob({ alice: '10.00', bob: '10.00' });
    const second = await Engine.open(location);
    for (let index = 0; index < 4; index++) await pay(first, `M1-${index}`, 'ALICE', 'BOB', '1.00');
    expect(await pay(first, 'M1-big', 'ALICE', 'BOB', '500.00')).toMatchObject({ ok: true, value: { status: 'rejected', code: 'AM04' } });
    for (let index = 0; index < 4; index++) await pay(second, `M2-${index}`, 'BOB', 'ALICE', '1.00');
    const live = await first.invoke('metrics-dashboard', { range: '5m' });
    expect(live).toMatchObject({ ok: true, value: { totals: { total: 9, succeeded: 8 }, byTraffic: { realtime: { total: 9 } } } });
    // Each desk's latencies ride along with its next commit, the last ones with its close.
    await second.close();
    await first.close();
    const third = await Engine.open(location);
    const dashboard = await third.invoke('metrics-dashboard', { range: '5m' });
    if (!dashboard.ok) throw new Error(dashboard.message);
    expect(dashboard.value.totals).toMatchObject({ total: 9, succeeded: 8 });
    expect(dashboard.value.totals.successRate).toBeCloseTo(8 / 9);
    expect(dashboard.value.histogram.reduce((sum, bar) => sum + bar.count, 0)).toBe(9);
    await third.close();
  });

  it("shows a maker's held payment to a checker on another engine, who approves it there", async () => {
    const location = await newPostgresDatabase();
    const maker = await Engine.open(location, { create: true });
    const callers = await withOperators(maker, { otto: 'operator', april: 'approver' });
    await callers.otto.call('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '1000.00' });
    await callers.otto.call('account-create', { code: 'BOB', name: 'Bob', currency: 'EUR' });
    await callers.admin.call('approval-threshold-set', { currency: 'EUR', amount: '500.00' });
    const checkerEngine = await Engine.open(location);
    const changed = new Promise<void>((resolve) => checkerEngine.store.onRemoteChange(resolve));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const big = { paymentId: 'BIG-1', debtor: 'ALICE', creditor: 'BOB', amount: '600.00', currency: 'EUR' } as const;
    expect(await callers.otto.call('payment-submit', big)).toMatchObject({ ok: true, value: { status: 'pending' } });
    await changed;
    const april = await signIn(checkerEngine, 'april');
    expect(await april.call('approval-list', { status: 'pending' })).toMatchObject({ ok: true, value: [{ paymentId: 'BIG-1', submittedBy: 'otto' }] });
    expect(await april.call('approval-approve', { paymentId: 'BIG-1' })).toMatchObject({ ok: true, value: { status: 'approved' } });
    expect(await callers.otto.call('payment-get', { paymentId: 'BIG-1' })).toMatchObject({ ok: true, value: { status: 'accepted' } });
    expect(maker.verify()).toMatchObject({ ok: true, problems: [] });
    await maker.close();
    await checkerEngine.close();
  });

  it('says in words why a server did not let the desk in: a refused password, a database that is not there', async () => {
    const location = new URL(await newPostgresDatabase());
    const wrongPassword = new URL(location);
    wrongPassword.password = 'not-the-password';
    await expect(Engine.open(wrongPassword.toString())).rejects.toMatchObject({
      code: 'SHARED_UNREACHABLE', message: expect.stringContaining(`the server refused the user name ${location.username} or its password`),
    });
    const missing = new URL(location);
    missing.pathname = '/paydesk_no_such_database';
    await expect(Engine.open(missing.toString())).rejects.toMatchObject({
      code: 'SHARED_UNREACHABLE', message: expect.stringContaining('the server has no database named paydesk_no_such_database'),
    });
    // A name with a space travels percent-encoded in the URL; the sentence names it as the operator typed it.
    missing.pathname = '/paydesk no such database';
    const refusal = await Engine.open(missing.toString()).then(() => null, (error: Error) => error);
    const named = '/paydesk no such database cannot be reached: the server has no database named paydesk no such database';
    expect(refusal).toMatchObject({ code: 'SHARED_UNREACHABLE', message: expect.stringContaining(named) });
    expect(refusal?.message).not.toContain('%20');
  });

  it('refuses a database with a newer schema with a code and a sentence', async () => {
    const location = await newPostgresDatabase();
    await (await Engine.open(location, { create: true })).close();
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    await client.query('INSERT INTO paydesk_schema (version) VALUES ($1)', [sharedSchemaVersion + 1]);
    await client.end();
    await expect(Engine.open(location)).rejects.toMatchObject({ code: 'SCHEMA_NEWER', message: expect.stringContaining('newer than this PayDesk') });
    await expect(Engine.open(await newPostgresDatabase())).rejects.toMatchObject({ code: 'NO_LEDGER' });
  });

  it('copies a file ledger into PostgreSQL and back, verified on both sides, and the ids stay taken', async () => {
    const folder = newFolder();
    const filePath = path.join(folder, 'books.paydesk');
    const url = await newPostgresDatabase();
    expect((await runMain(['init', '--db', filePath])).code).toBe(0);
    const alice = ['account', 'add', '--db', filePath, '--code', 'ALICE', '--name', 'A', '--currency', 'EUR', '--opening-balance', '50.00'];
    expect((await runMain(alice)).code).toBe(0);
    expect((await runMain(['account', 'add', '--db', filePath, '--code', 'BOB', '--name', 'B', '--currency', 'EUR'])).code).toBe(0);
    expect((await runMain(['pay', '--db', filePath, '--id', 'P-1', '--from', 'ALICE', '--to', 'BOB', '--amount', '20', '--currency', 'EUR'])).code).toBe(0);
    // A real process: it must also end once copied (a listening connection left open kept it waiting forever).
    const toShared = await runCli(['copy', '--from', filePath, '--to', url], 20_000);
    expect(toShared).toMatchObject({ code: 0, stdout: expect.stringContaining('verify OK on both sides') });
    expect((await runMain(['copy', '--from', filePath, '--to', url])).stderr).toContain('LEDGER_EXISTS');
    const again = await runMain(['pay', '--db', url, '--id', 'P-1', '--from', 'ALICE', '--to', 'BOB', '--amount', '20', '--currency', 'EUR', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ id: 'P-1', status: 'accepted' });
    expect((await runMain(['pay', '--db', url, '--id', 'P-2', '--from', 'ALICE', '--to', 'BOB', '--amount', '5', '--currency', 'EUR'])).code).toBe(0);
    const back = path.join(folder, 'back.paydesk');
    expect(await runMain(['copy', '--from', url, '--to', back])).toMatchObject({ code: 0 });
    expect(await runMain(['verify', '--db', back])).toMatchObject({ code: 0, stdout: expect.stringContaining('3 accounts and 3 payments') });
    expect(await runMain(['demo', '--db', url])).toMatchObject({ code: 1, stderr: expect.stringContaining('SHARED_UNSUPPORTED') });
  });

  it('runs paydesk batch on a shared ledger: every row paid once, verify holds', async () => {
    const url = await newPostgresDatabase();
    const inputPath = path.join(newFolder(), 'batch.csv');
    expect((await runMain(['init', '--db', url])).code).toBe(0);
    const add = (code: string, opening: string) => [
      'account', 'add', '--db', url, '--code', code, '--name', code, '--currency', 'EUR', '--opening-balance', opening,
    ];
    expect((await runMain(add('ALICE', '100000.00'))).code).toBe(0);
    expect((await runMain(add('BOB', '100000.00'))).code).toBe(0);
    await generateBatch(inputPath, 2500, 7, 'CLI', ['ALICE', 'BOB']);
    const run = await runMain(['batch', '--db', url, inputPath, '--json']);
    // A shared ledger's batch files stay on the desk, under the home folder: this test's go with it.
    rmSync(batchFolder(url), { recursive: true, force: true });
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 2500, accepted: 2500 });
    expect(await runMain(['verify', '--db', url])).toMatchObject({ code: 0, stdout: expect.stringContaining('2502 payments') });
  });

  it('names the permission a role lacks (CREATE on the schema, or on the ledger tables) in a coded refusal, never as an unexpected error', async () => {
    const url = await newPostgresDatabase();
    const asOwner = async (sql: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(sql);
      await client.end();
    };
    // The owner gives up its own CREATE on public: the role may connect, but not create tables, as on a locked-down server.
    await asOwner('REVOKE CREATE ON SCHEMA public FROM pg_database_owner, PUBLIC');
    const init = await runMain(['init', '--db', url]);
    expect(init).toMatchObject({ code: 2, stderr: expect.stringContaining('SHARED_PERMISSION: The role paydesk_test may not use the shared ledger') });
    expect(init.stderr).toContain('It needs CREATE on the schema public to create PayDesk\'s tables (GRANT CREATE ON SCHEMA public TO paydesk_test)');
    expect(init.stderr).not.toMatch(/unexpected error|paydesk_test:paydesk_test/);
    await asOwner('GRANT CREATE ON SCHEMA public TO pg_database_owner');
    expect(await runMain(['init', '--db', url])).toMatchObject({ code: 0 });
    await asOwner('REVOKE SELECT ON paydesk_log FROM paydesk_test');
    const open = await runMain(['balances', '--db', url]);
    expect(open).toMatchObject({ code: 2, stderr: expect.stringContaining('SHARED_PERMISSION') });
    expect(open.stderr).toContain('It needs SELECT and INSERT on PayDesk\'s tables');
  });

  it('copies into PostgreSQL as a real process that exits once done (the connection listening for other desks is closed too)', async () => {
    const filePath = path.join(newFolder(), 'books.paydesk');
    expect((await runMain(['init', '--db', filePath])).code).toBe(0);
    // A connection left open keeps a process alive: runCli kills it after the timeout, and the code is then null.
    expect(await runCli(['copy', '--from', filePath, '--to', await newPostgresDatabase()], 20_000)).toMatchObject({ code: 0 });
  });
});
