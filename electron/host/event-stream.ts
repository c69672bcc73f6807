import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Server-sent events for the loopback host: every engine event goes to every
 * connected browser as "event: <name>\ndata: <json>\n\n". A comment line every
 * few seconds keeps proxies and idle timers from closing a quiet stream.
 */

export const heartbeatIntervalMs = 15_000;
/** One operator uses a handful of tabs; more clients than this is a leak or an attack. */
export const eventClientsMax = 32;
/** How long a browser waits before reconnecting after the stream drops. */
const reconnectDelayMs = 2_000;

export class EventStream {
  /** Each open stream and the operator session it was opened for. */
  private readonly clients = new Map<ServerResponse, string>();
  /** Whether a session is still signed in; checked for every stream at each heartbeat. */
  authorize: (sessionKey: string) => Promise<boolean> = () => Promise.resolve(true);

  attach(request: IncomingMessage, response: ServerResponse, headers: Readonly<Record<string, string>>, sessionKey: string) {
    if (this.clients.size >= eventClientsMax) {
      response.writeHead(503, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '5' });
      response.end('Too many event streams are open.\n');
      return;
    }
    response.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    response.write(`retry: ${reconnectDelayMs}\n: connected\n\n`);
    const heartbeat = setInterval(() => {
      void this.authorize(sessionKey).then((signedIn) => (signedIn ? response.write(': heartbeat\n\n') : response.end()));
    }, heartbeatIntervalMs);
    heartbeat.unref();
    this.clients.set(response, sessionKey);
    const detach = () => {
      clearInterval(heartbeat);
      this.clients.delete(response);
    };
    request.on('close', detach);
    response.on('close', detach);
  }

  publish(name: string, payload: unknown) {
    // JSON.stringify escapes newlines inside strings, so one data line always holds the whole payload.
    const message = `event: ${name}\ndata: ${JSON.stringify(payload ?? null)}\n\n`;
    for (const client of this.clients.keys()) client.write(message);
  }

  /** Ends the streams of a session that signed out: its tab receives nothing more. */
  closeSession(sessionKey: string) {
    for (const [client, key] of this.clients) {
      if (key !== sessionKey) continue;
      client.end();
      this.clients.delete(client);
    }
  }

  closeAll() {
    for (const client of this.clients.keys()) client.end();
    this.clients.clear();
  }

  get size(): number {
    return this.clients.size;
  }
}
