import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentSecurityPolicy, documentContentSecurityPolicy } from '../../electron/host/csp';
import { requestBodyBytesMax, startHost, type RunningHost } from '../../electron/host/server';

/**
 * The loopback host against the real engine, a real ledger file in a fresh
 * folder per test, and real HTTP on 127.0.0.1.
 */

let folder: string;
let host: RunningHost;
let base: string;
let sessionId: string;

beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'paydesk-host-'));
  const rendererFolder = path.join(folder, 'renderer');
  await import('node:fs/promises').then((fs) => fs.mkdir(rendererFolder));
  await writeFile(path.join(rendererFolder, 'index.html'), '<!doctype html><title>PayDesk</title>');
  await writeFile(path.join(folder, 'secret.txt'), 'outside the renderer folder');
  host = await startHost({ ledgerPath: path.join(folder, 'ledger.paydesk'), port: 0, rendererFolder });
  base = `http://127.0.0.1:${host.port}`;
  // Every channel but the session ones needs a signed-in operator: the first start creates the administrator.
  const setup = await call('session-setup', { username: 'admin', displayName: 'Admin', password: 'correct horse battery' });
  sessionId = ((await setup.json()) as { value: { sessionId: string } }).value.sessionId;
});

afterEach(async () => {
  await host.close();
  await rm(folder, { recursive: true, force: true });
});

function call(channel: string, body: unknown, token: string | null = host.token) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (sessionId !== undefined) headers['X-PayDesk-Session'] = sessionId;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return fetch(`${base}/api/${channel}`, { method: 'POST', headers, body: text });
}

async function ledgerInfo() {
  const response = await call('ledger-info', {});
  return ((await response.json()) as { value: { accounts: number; payments: number } }).value;
}

describe('loopback host', () => {
  it('refuses the API without the token, with a wrong token, and with a query token on a channel', async () => {
    for (const token of [null, 'wrong-token', `${host.token}x`]) {
      const response = await call('ledger-info', {}, token);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
    }
    const viaQuery = await fetch(`${base}/api/ledger-info?token=${host.token}`, { method: 'POST', body: '{}' });
    expect(viaQuery.status).toBe(401);
    const events = await fetch(`${base}/api/events`);
    expect(events.status).toBe(401);
  });

  it('prints a URL that carries a random token in the hash', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('listens on 127.0.0.1 only', async () => {
    expect(host.address).toBe('127.0.0.1');
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((entry) => entry && entry.family === 'IPv4' && !entry.internal);
    if (external) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: external.address, port: host.port });
        socket.once('connect', () => (socket.destroy(), resolve(false)));
        socket.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
  });

  it('refuses a Host header that is not loopback (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: host.port, path: '/', headers: { Host: `evil.example:${host.port}` } },
        (response) => (response.resume(), resolve(response.statusCode ?? 0)),
      );
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(403);
  });

  it('round-trips a channel: create an account, then list it', async () => {
    const created = await call('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '100.00' });
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ ok: true, value: { code: 'ALICE', balanceMinor: 10_000 } });
    const listed = (await (await call('account-list', {})).json()) as { ok: true; value: Array<{ code: string }> };
    expect(listed.value.map((account) => account.code)).toContain('ALICE');
  });

  it('answers a malformed request with FF01 and changes nothing', async () => {
    const before = await ledgerInfo();
    const missingField = await call('account-create', { code: 'BOB', currency: 'EUR' });
    expect(await missingField.json()).toMatchObject({ ok: false, code: 'FF01' });
    const extraField = await call('account-create', { code: 'BOB', name: 'Bob', currency: 'EUR', admin: true });
    expect(await extraField.json()).toMatchObject({ ok: false, code: 'FF01' });
    const notJson = await call('account-create', '{"code": "BOB",');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ ok: false, code: 'FF01' });
    expect(await ledgerInfo()).toEqual(before);
  });

  it('refuses a body over the size limit with 413', async () => {
    const huge = JSON.stringify({ search: 'x'.repeat(requestBodyBytesMax + 1) });
    const response = await call('account-list', huge);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ ok: false, code: 'FF01' });
  });

  it('answers an unknown channel with UNKNOWN_CHANNEL', async () => {
    const response = await call('account-delete-everything', {});
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ ok: false, code: 'UNKNOWN_CHANNEL' });
  });

  it('refuses methods other than POST on a channel', async () => {
    const response = await fetch(`${base}/api/ledger-info`, { headers: { Authorization: `Bearer ${host.token}` } });
    expect(response.status).toBe(405);
  });

  it('delivers a payment-recorded event over server-sent events to a signed-in session', async () => {
    await call('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '100.00' });
    await call('account-create', { code: 'BOB', name: 'Bob', currency: 'EUR' });
    const abort = new AbortController();
    const stream = await fetch(`${base}/api/events?token=${encodeURIComponent(host.token)}&session=${sessionId}`, { signal: abort.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    expect(first.value).toContain(': connected');
    const paid = await call('payment-submit', { paymentId: 'P-1', debtor: 'ALICE', creditor: 'BOB', amount: '25.00', currency: 'EUR' });
    expect(await paid.json()).toMatchObject({ ok: true, value: { status: 'accepted' } });
    let received = '';
    while (!/event: payment-recorded\ndata: .*\n\n/.test(received)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      received += chunk.value;
    }
    abort.abort();
    const data = /event: payment-recorded\ndata: (.*)\n\n/.exec(received)?.[1];
    expect(JSON.parse(data ?? 'null')).toMatchObject({ paymentId: 'P-1', status: 'accepted', amountMinor: 2500, currency: 'EUR' });
  });

  it('refuses the event stream to a tab without a signed-in session, and ends it at sign-out', async () => {
    for (const query of ['', '&session=not-a-session']) {
      const refused = await fetch(`${base}/api/events?token=${encodeURIComponent(host.token)}${query}`);
      expect(refused.status).toBe(401);
      const message = 'Sign in first: the event stream needs a signed-in operator.';
      expect(await refused.json()).toMatchObject({ ok: false, code: 'SIGN_IN_REQUIRED', message });
    }
    const stream = await fetch(`${base}/api/events?token=${encodeURIComponent(host.token)}&session=${sessionId}`);
    expect(stream.status).toBe(200);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain(': connected');
    await call('session-sign-out', {});
    // The stream ends: a signed-out tab receives no more events.
    let chunk = await reader.read();
    while (!chunk.done) chunk = await reader.read();
    expect(chunk.done).toBe(true);
    const again = await fetch(`${base}/api/events?token=${encodeURIComponent(host.token)}&session=${sessionId}`);
    expect(again.status).toBe(401);
  });

  it('serves the renderer without a token, with the CSP and nosniff, and never outside its folder', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    for (const attempt of ['/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%5csecret.txt', '/%00index.html', '/']) {
      const response = await fetch(`${base}${attempt}`);
      if (attempt === '/') continue;
      expect(response.status, attempt).toBe(404);
      expect(await response.text()).not.toContain('outside the renderer folder');
    }
  });

  it('keeps the renderer meta CSP to the header CSP without frame-ancestors, which only a header can carry', async () => {
    const html = await readFile(path.resolve('renderer/index.html'), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html)?.[1];
    expect(meta?.replace(/\s+/g, ' ').trim()).toBe(documentContentSecurityPolicy);
    expect(meta).not.toContain('frame-ancestors');
    expect(contentSecurityPolicy).toBe(`${documentContentSecurityPolicy}; frame-ancestors 'none'`);
  });
});
