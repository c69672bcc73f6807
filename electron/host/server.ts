import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { EngineHolder } from '../core/engine-holder';
import { isSharedLedgerUrl } from '../core/storage/postgres-log';
import { failure, type Result } from '../../shared/result';
import { securityHeaders } from './csp';
import { readStaticFile } from './static-files';
import { createAccessToken, tokensMatch } from './token';
import { EventStream } from './event-stream';

/**
 * The loopback host: the engine behind HTTP on 127.0.0.1, for the browser,
 * end-to-end tests and demos without Electron.
 *
 *   POST /api/<channel>         body: the request as JSON  -> the Result as JSON
 *   GET  /api/events?token=...&session=...  server-sent events, one per engine event
 *   GET  /anything-else         the built renderer (static files, no data)
 *
 * Every /api request needs the access token: "Authorization: Bearer <token>",
 * or for the event stream only, "?token=" (EventSource cannot set headers).
 * Beyond the token, core needs a signed-in operator for all but the session
 * channels: the client sends the id session-sign-in returned in X-PayDesk-Session.
 * The event stream needs one too ("&session="): a signed-out tab receives no
 * events, and a stream ends when its session does (sign-out, lock, disable).
 * The renderer finds the token in location.hash, which never reaches a server.
 */

/** Loopback only: the host is never reachable from another machine. */
export const hostAddress = '127.0.0.1';
/** The largest request body accepted; a payment request is a few hundred bytes. */
export const requestBodyBytesMax = 1024 * 1024;
const apiPrefix = '/api/';
const eventsPath = '/api/events';

export interface HostOptions {
  ledgerPath: string;
  /** 0 picks a free port. */
  port: number;
  /** The built renderer, normally out/renderer. */
  rendererFolder: string;
  /** Fixed token for tests; a random one otherwise. */
  token?: string;
}

export interface RunningHost {
  /** Open this in a browser: it carries the token in the hash. */
  url: string;
  /** The address the server is bound to, as the operating system reports it. */
  address: string;
  port: number;
  token: string;
  ledgerPath: string;
  close(): Promise<void>;
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  if (!isSharedLedgerUrl(options.ledgerPath)) await mkdir(path.dirname(path.resolve(options.ledgerPath)), { recursive: true });
  const token = options.token ?? createAccessToken();
  const events = new EventStream();
  let engineForStreams: Pick<EngineHolder, 'dispatch'> | null = null;
  // Streams whose session ended (signed out, locked, operator disabled) are closed at each heartbeat.
  events.authorize = (sessionKey) => (engineForStreams === null ? Promise.resolve(false) : sessionIsSignedIn(engineForStreams, sessionKey));
  // The holder swaps the engine when a backup is restored: requests in flight finish first, events follow the new engine.
  const engine = new EngineHolder((name, payload) => events.publish(name, payload));
  await engine.open(options.ledgerPath, true);
  const ledgerPath = engine.ledgerPath!;
  engineForStreams = engine;
  let address: AddressInfo;
  const context: RequestContext = { engine, token, events, rendererFolder: options.rendererFolder, port: 0 };
  const server = createServer((request, response) => {
    handleRequest(context, request, response).catch((error: unknown) => {
      console.error('paydesk host: request failed', error);
      if (!response.headersSent) sendJson(response, 500, failure('INTERNAL', 'The host hit an unexpected error.'));
      else response.destroy();
    });
  });
  try {
    address = await listen(server, options.port);
    context.port = address.port;
  } catch (error) {
    await engine.close();
    throw error;
  }
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      events.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await engine.close();
    })();
    return closing;
  };
  const url = `http://${hostAddress}:${context.port}/#token=${token}`;
  return { url, address: address.address, port: context.port, token, ledgerPath, close };
}

function listen(server: Server, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: hostAddress, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

interface RequestContext {
  engine: Pick<EngineHolder, 'dispatch'>;
  token: string;
  events: EventStream;
  rendererFolder: string;
  port: number;
}

async function handleRequest(context: RequestContext, request: IncomingMessage, response: ServerResponse) {
  const url = new URL(request.url ?? '/', `http://${hostAddress}`);
  if (!hostHeaderIsLoopback(request.headers.host, context.port)) {
    // A page on another site that rebinds its DNS name to 127.0.0.1 arrives with its own Host.
    return sendJson(response, 403, { ok: false, code: 'FORBIDDEN', message: 'This host only answers to 127.0.0.1.' });
  }
  if (url.pathname === eventsPath || url.pathname.startsWith(apiPrefix)) {
    return handleApi(context, request, response, url);
  }
  return handleStatic(context, request, response, url);
}

function hostHeaderIsLoopback(hostHeader: string | undefined, port: number): boolean {
  return hostHeader === `${hostAddress}:${port}` || hostHeader === `localhost:${port}`;
}

async function handleApi(context: RequestContext, request: IncomingMessage, response: ServerResponse, url: URL) {
  const isEventStream = url.pathname === eventsPath;
  const presented = bearerToken(request) ?? (isEventStream ? url.searchParams.get('token') : null);
  if (!tokensMatch(presented, context.token)) {
    return sendJson(response, 401, { ok: false, code: 'UNAUTHORIZED', message: 'The access token is missing or wrong.' });
  }
  if (isEventStream) {
    if (request.method !== 'GET') return sendMethodNotAllowed(response, 'GET');
    const sessionKey = validSessionKey(url.searchParams.get('session'));
    if (!(await sessionIsSignedIn(context.engine, sessionKey))) {
      return sendJson(response, 401, failure('SIGN_IN_REQUIRED', 'Sign in first: the event stream needs a signed-in operator.'));
    }
    return context.events.attach(request, response, securityHeaders, sessionKey!);
  }
  if (request.method !== 'POST') return sendMethodNotAllowed(response, 'POST');
  return handleChannel(context, request, response, url.pathname.slice(apiPrefix.length));
}

async function handleChannel(context: RequestContext, request: IncomingMessage, response: ServerResponse, encodedName: string) {
  let channelName: string;
  try {
    channelName = decodeURIComponent(encodedName);
  } catch {
    return sendJson(response, 400, failure('FF01', 'The operation name is not valid.'));
  }
  const body = await readBody(request, requestBodyBytesMax);
  if (body === 'too-large') {
    response.setHeader('Connection', 'close');
    return sendJson(response, 413, failure('FF01', `The request is larger than ${requestBodyBytesMax} bytes.`));
  }
  const parsed = parseJson(body);
  if (!parsed.ok) return sendJson(response, 400, parsed);
  const sessionKey = sessionHeader(request);
  const result = await context.engine.dispatch(channelName, parsed.value, { kind: 'http', sessionKey });
  if (channelName === 'session-sign-out' && sessionKey !== null) context.events.closeSession(sessionKey);
  const status = !result.ok && result.code === 'UNKNOWN_CHANNEL' ? 404 : 200;
  return sendJson(response, status, result);
}

/** The operator's session, returned by session-sign-in and sent back by the client in this header. */
export const sessionHeaderName = 'x-paydesk-session';

function sessionHeader(request: IncomingMessage): string | null {
  return validSessionKey(request.headers[sessionHeaderName]);
}

function validSessionKey(value: unknown): string | null {
  return typeof value === 'string' && /^[\w-]{1,100}$/.test(value) ? value : null;
}

/** Asks core, through the public session-status channel (which does not count as activity), whether the session is signed in. */
async function sessionIsSignedIn(engine: Pick<EngineHolder, 'dispatch'>, sessionKey: string | null): Promise<boolean> {
  if (sessionKey === null) return false;
  const status = await engine.dispatch('session-status', {}, { kind: 'http', sessionKey });
  return status.ok && (status.value as { operator: unknown }).operator !== null;
}

function bearerToken(request: IncomingMessage): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/** Reads the body up to a limit; stops reading and reports when it is exceeded. */
function readBody(request: IncomingMessage, bytesMax: number): Promise<Buffer | 'too-large'> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > bytesMax) {
    request.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > bytesMax) {
        request.removeAllListeners('data');
        request.resume();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** An empty body is an empty request; anything else must be JSON. */
function parseJson(body: Buffer): Result<unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return failure('FF01', 'The request body is not valid JSON.');
  }
}

async function handleStatic(context: RequestContext, request: IncomingMessage, response: ServerResponse, url: URL) {
  if (request.method !== 'GET' && request.method !== 'HEAD') return sendMethodNotAllowed(response, 'GET, HEAD');
  const file = await readStaticFile(context.rendererFolder, url.pathname);
  if (file === null && url.pathname === '/favicon.ico') {
    // Browsers ask for it unprompted; "no icon" is an answer, not an error in the console.
    response.writeHead(204, securityHeaders);
    response.end();
    return;
  }
  if (file === null) {
    response.writeHead(404, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('Not found. If this is the start page, build the renderer first: npx electron-vite build\n');
    return;
  }
  response.writeHead(200, {
    ...securityHeaders,
    'Content-Type': file.contentType,
    'Content-Length': file.body.length,
    'Cache-Control': 'no-cache',
  });
  response.end(request.method === 'HEAD' ? undefined : file.body);
}

function sendMethodNotAllowed(response: ServerResponse, allowed: string) {
  response.setHeader('Allow', allowed);
  sendJson(response, 405, { ok: false, code: 'METHOD_NOT_ALLOWED', message: `Use ${allowed}.` });
}

function sendJson(response: ServerResponse, status: number, value: unknown) {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    ...securityHeaders,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  response.end(body);
}
