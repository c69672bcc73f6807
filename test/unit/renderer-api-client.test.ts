import { describe, expect, it } from 'vitest';
import { createHttpClient, unreachableMessage } from '../../renderer/src/api/client';

function httpClient(fetchImplementation: typeof fetch) {
  return createHttpClient({
    fetch: fetchImplementation,
    createEventSource: () => {
      throw new Error('no events in this test');
    },
    token: 'secret-token',
  });
}

describe('HTTP API client', () => {
  it('posts the request to /api/<channel> with the bearer token and returns the Result body', async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const client = httpClient(async (url, init) => {
      seen.push({ url: String(url), init });
      return new Response(JSON.stringify({ ok: false, code: 'AC01', message: 'No such account.', field: 'code' }), { status: 200 });
    });
    const result = await client.invoke('account-statement', { code: 'X' });
    expect(result).toEqual({ ok: false, code: 'AC01', message: 'No such account.', field: 'code' });
    expect(seen[0].url).toBe('/api/account-statement');
    expect(seen[0].init?.method).toBe('POST');
    expect(new Headers(seen[0].init?.headers).get('Authorization')).toBe('Bearer secret-token');
    expect(JSON.parse(String(seen[0].init?.body))).toEqual({ code: 'X' });
    expect(client.connectionState()).toBe('connected');
  });

  it('turns a network failure into an INTERNAL failure with a sentence and reports the engine unreachable', async () => {
    const client = httpClient(async () => {
      throw new TypeError('Failed to fetch');
    });
    const states: string[] = [];
    client.onConnectionChange((state) => states.push(state));
    const result = await client.invoke('ledger-info', {});
    expect(result).toEqual({ ok: false, code: 'INTERNAL', message: unreachableMessage });
    expect(states).toEqual(['unreachable']);
  });

  it('reports an answer that is not a Result instead of throwing', async () => {
    const client = httpClient(async () => new Response('<html>gateway</html>', { status: 502 }));
    const result = await client.invoke('ledger-info', {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/HTTP 502/);
  });
});
