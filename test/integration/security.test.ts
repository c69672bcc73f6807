import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { channelRoles } from '../../shared/channel-roles';
import { channelNames } from '../../shared/contract';
import { roleAllows, roles, sessionIdleLockMs } from '../../shared/access';
import { backends, newLedgerLocation, type BackendName } from '../support/postgres';
import { useTempFolder } from '../support/temp-folder';
import { signIn, testPassword, withOperators } from '../support/operators';

/** Operators, sign-in and roles, enforced in core whatever the UI shows. */
const newFolder = useTempFolder('paydesk-security-');

async function openLedger(backend: BackendName) {
  const ledgerPath = await newLedgerLocation(backend, newFolder());
  return { engine: await Engine.open(ledgerPath, { create: true }), ledgerPath };
}

const anonymous = { kind: 'http', sessionKey: null } as const;

describe.each(backends())('operators and sessions on the %s back end', (backend) => {
    it('on a fresh ledger asks for setup, and the first administrator can be created once only', async () => {
      const { engine } = await openLedger(backend);
      expect(await engine.dispatch('session-status', {}, anonymous)).toMatchObject({ ok: true, value: { setupRequired: true, operator: null } });
      await withOperators(engine, {});
      const again = await engine.dispatch('session-setup', { username: 'eve', displayName: 'Eve', password: testPassword }, anonymous);
      expect(again).toMatchObject({ ok: false, code: 'SETUP_DONE' });
      expect(await engine.dispatch('session-status', {}, anonymous)).toMatchObject({ ok: true, value: { setupRequired: false } });
      await engine.close();
    });

    it('stores passwords as salted scrypt hashes and never sends them out', async () => {
      const { engine } = await openLedger(backend);
      const { admin } = await withOperators(engine, { bob: 'operator' });
      const hashes = engine.store.database.rows('SELECT password_hash FROM operators').map(([hash]) => String(hash));
      expect(hashes).toHaveLength(2);
      for (const hash of hashes) expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[\w+/=]+\$[\w+/=]+$/);
      expect(new Set(hashes.map((hash) => hash.split('$')[4])).size).toBe(2);
      const listed = await admin.call('operator-list', {});
      expect(JSON.stringify(listed)).not.toContain('scrypt');
      await engine.close();
    });

    it('refuses a wrong password or an unknown user with the same sentence, and audits both', async () => {
      const { engine } = await openLedger(backend);
      await withOperators(engine, {});
      const wrong = await engine.dispatch('session-sign-in', { username: 'admin', password: 'not the password' }, anonymous);
      const unknown = await engine.dispatch('session-sign-in', { username: 'nobody', password: testPassword }, anonymous);
      expect(wrong).toMatchObject({ ok: false, code: 'SIGN_IN_FAILED' });
      expect(unknown).toEqual(wrong);
      const refused = engine.store.database.rows("SELECT actor, detail FROM audit WHERE outcome = 'refused SIGN_IN_FAILED' ORDER BY seq");
      expect(refused).toEqual([['admin', 'wrong password'], ['nobody', 'unknown user name']]);
      await engine.close();
    });

    it('locks a user name out after repeated failures', async () => {
      const { engine } = await openLedger(backend);
      await withOperators(engine, {});
      for (let attempt = 0; attempt < 5; attempt++) await engine.dispatch('session-sign-in', { username: 'admin', password: 'wrong wrong' }, anonymous);
      const locked = await engine.dispatch('session-sign-in', { username: 'admin', password: testPassword }, anonymous);
      expect(locked).toMatchObject({ ok: false, code: 'SIGN_IN_FAILED', message: expect.stringContaining('Too many') });
      await engine.close();
    });

    it('refuses every non-public channel without a session, before looking at the request', async () => {
      const { engine } = await openLedger(backend);
      await withOperators(engine, {});
      for (const name of channelNames.filter((channel) => channelRoles[channel] !== 'public')) {
        expect(await engine.dispatch(name, { malformed: true }, anonymous), name).toMatchObject({ ok: false, code: 'SIGN_IN_REQUIRED' });
        expect(await engine.dispatch(name, {}, { kind: 'window', sessionKey: 'window:9' }), name).toMatchObject({ ok: false, code: 'SIGN_IN_REQUIRED' });
      }
      await engine.close();
    });

    it('enforces each channel\'s role in core for every role, whatever the UI hides', async () => {
      const { engine } = await openLedger(backend);
      const callers = await withOperators(engine, { vera: 'viewer', otto: 'operator', april: 'approver' });
      const byRole = { viewer: callers.vera, operator: callers.otto, approver: callers.april, administrator: callers.admin };
      for (const role of roles) {
        for (const name of channelNames) {
          const needed = channelRoles[name];
          if (needed === 'public') continue;
          // An empty request is malformed for most channels: FF01 proves the role check passed, ROLE_REQUIRED that it did not.
          const result = await engine.dispatch(name, { '\u0000probe': 1 }, byRole[role].context);
          if (roleAllows(role, needed)) expect(result, `${role} ${name}`).toMatchObject({ ok: false, code: 'FF01' });
          else expect(result, `${role} ${name}`).toMatchObject({ ok: false, code: 'ROLE_REQUIRED' });
        }
      }
      const refused = await callers.vera.call('payment-submit', { paymentId: 'P-1', debtor: 'A', creditor: 'B', amount: '1', currency: 'EUR' });
      expect(refused).toMatchObject({ ok: false, code: 'ROLE_REQUIRED', message: 'payment-submit needs the operator role; vera is a viewer.' });
      const audited = engine.store.database.get<{ actor: string; outcome: string }>("SELECT actor, outcome FROM audit WHERE action = 'payment-submit'");
      expect(audited).toEqual({ actor: 'vera', outcome: 'refused ROLE_REQUIRED' });
      await engine.close();
    });

    it('disabling an operator ends their sessions at once; nobody disables themselves or the last administrator', async () => {
      const { engine } = await openLedger(backend);
      const { admin, otto } = await withOperators(engine, { otto: 'operator' });
      expect(await otto.call('ledger-info', {})).toMatchObject({ ok: true });
      expect(await admin.call('operator-set-status', { username: 'otto', status: 'disabled' })).toMatchObject({ ok: true, value: { status: 'disabled' } });
      expect(await otto.call('ledger-info', {})).toMatchObject({ ok: false, code: 'SIGN_IN_REQUIRED' });
      await expect(signIn(engine, 'otto')).rejects.toThrow(/could not sign in/);
      expect(await admin.call('operator-set-status', { username: 'admin', status: 'disabled' })).toMatchObject({ ok: false, code: 'OPERATOR_STATE' });
      expect(await admin.call('operator-create', { username: 'cli', displayName: 'x', password: testPassword, role: 'viewer' })).toMatchObject({
        ok: false, code: 'FF01',
      });
      await engine.close();
    });

    it('locks a session left idle, and signing out ends it', async () => {
      const { engine } = await openLedger(backend);
      const { admin } = await withOperators(engine, {});
      const sessions = engine.controls.sessions;
      const start = Date.now();
      sessions.clock = () => start + sessionIdleLockMs + 1;
      expect(await admin.call('ledger-info', {})).toMatchObject({ ok: false, code: 'SIGN_IN_REQUIRED', message: expect.stringContaining('locked') });
      sessions.clock = Date.now;
      const again = await signIn(engine, 'admin');
      expect(await again.call('session-sign-out', {})).toMatchObject({ ok: true, value: { operator: null } });
      expect(await again.call('ledger-info', {})).toMatchObject({ ok: false, code: 'SIGN_IN_REQUIRED' });
      await engine.close();
    });

    it('keeps operators across a restart (journal replay) and the command line acts as cli', async () => {
      const { engine, ledgerPath } = await openLedger(backend);
      await withOperators(engine, { otto: 'operator' });
      await engine.invoke('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR' });
      await engine.close();
      const reopened = await Engine.open(ledgerPath, { create: true });
      await signIn(reopened, 'otto');
      const entry = reopened.store.database.get<{ actor: string; action: string }>("SELECT actor, action FROM audit WHERE target = 'ALICE'");
      expect(entry).toEqual({ actor: 'cli', action: 'account-create' });
      await reopened.close();
    });
});
