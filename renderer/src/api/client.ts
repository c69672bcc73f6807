import type { ChannelName, EventName, Events, PayDeskApi, RequestOf, ResponseOf } from '../../../shared/contract';
import { isEventName } from '../../../shared/contract';
import { failure, type Result } from '../../../shared/result';
import { captureSessionToken, readTokenFromHash } from './session-token';
import { captureSessionId, createSessionIdStore, noteAnswer, sessionHeader, sessionIdAfter, type SessionIdStore } from './operator-session';

/**
 * The renderer's one way to reach the engine. Inside Electron the preload
 * exposes `window.paydesk`; in a browser the loopback host serves the same
 * contract over HTTP and server-sent events. Components never call fetch or
 * window.paydesk themselves: they go through the `api` singleton below.
 */

export type ConnectionState = 'connecting' | 'connected' | 'unreachable';

export interface PayDeskClient extends PayDeskApi {
  /** Follows whether the engine answers; Electron's in-process bridge is always connected. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  connectionState(): ConnectionState;
}

declare global {
  interface Window {
    paydesk?: PayDeskApi;
  }
}

export const unreachableMessage = 'The PayDesk engine is not reachable. Check that it is running, then try again.';

export function createBridgeClient(bridge: PayDeskApi): PayDeskClient {
  return {
    invoke: (name, request) => bridge.invoke(name, request),
    on: (name, listener) => bridge.on(name, listener),
    onConnectionChange: () => () => {},
    connectionState: () => 'connected',
  };
}

interface HttpEnvironment {
  fetch: typeof fetch;
  createEventSource: (url: string) => EventSource;
  token: string | null;
  /** Where the operator's session id is kept between requests (operator-session.ts). */
  session?: SessionIdStore;
}

export function createHttpClient(environment: HttpEnvironment): PayDeskClient & { useToken(token: string | null): void } {
  const connection = createConnectionTracker();
  const events = createEventStream(environment, connection.set);

  async function invoke<Name extends ChannelName>(name: Name, request: RequestOf<Name>): Promise<Result<ResponseOf<Name>>> {
    let response: Response;
    try {
      response = await environment.fetch(`/api/${name}`, {
        method: 'POST',
        headers: sessionHeaders(environment),
        body: JSON.stringify(request),
      });
    } catch {
      connection.set('unreachable');
      return failure('INTERNAL', unreachableMessage);
    }
    connection.set('connected');
    const result = await readResult<ResponseOf<Name>>(response);
    const sessionId = sessionIdAfter(name, result);
    if (sessionId !== undefined) {
      environment.session?.set(sessionId);
      // The event stream belongs to a signed-in session: a new one (or none) needs a new stream.
      events.reconnect();
    }
    return result;
  }

  return {
    invoke,
    on: events.on,
    onConnectionChange: connection.subscribe,
    connectionState: connection.get,
    useToken: (token: string | null) => {
      environment.token = token;
      events.reconnect();
    },
  };
}

function sessionHeaders(environment: HttpEnvironment): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Authorization: `Bearer ${environment.token ?? ''}` };
  const sessionId = environment.session?.get() ?? null;
  if (sessionId !== null) headers[sessionHeader] = sessionId;
  return headers;
}

/** The host answers every request with Result JSON; anything else is reported, not thrown. */
export async function readResult<T>(response: Response): Promise<Result<T>> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return failure('INTERNAL', `The engine answered with HTTP ${response.status} and no readable result.`);
  }
  if (isResult(body)) return body as Result<T>;
  if (response.status === 401 || response.status === 403) {
    return failure('INTERNAL', 'The session token is missing or wrong: open the address the PayDesk host printed.');
  }
  return failure('INTERNAL', `The engine answered with HTTP ${response.status} and no readable result.`);
}

function isResult(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || !('ok' in body)) return false;
  const candidate = body as { ok: unknown; code?: unknown; message?: unknown };
  if (candidate.ok === true) return 'value' in candidate;
  return candidate.ok === false && typeof candidate.code === 'string' && typeof candidate.message === 'string';
}

function createConnectionTracker() {
  let state: ConnectionState = 'connecting';
  const listeners = new Set<(state: ConnectionState) => void>();
  return {
    get: () => state,
    set(next: ConnectionState) {
      if (next === state) return;
      state = next;
      for (const listener of listeners) listener(next);
    },
    subscribe(listener: (state: ConnectionState) => void) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

type AnyListener = (payload: unknown) => void;

/**
 * One EventSource for the whole window, opened when the first listener
 * subscribes, for the signed-in session (the host sends events only to one).
 * The browser reconnects it by itself after the engine comes back; signing in
 * or out opens it again for the new session, or closes it.
 */
function createEventStream(environment: HttpEnvironment, setConnection: (state: ConnectionState) => void) {
  const listeners = new Map<EventName, Set<AnyListener>>();
  let source: EventSource | null = null;

  function open(): EventSource | null {
    const sessionId = environment.session?.get() ?? null;
    if (sessionId === null) return null;
    const url = `/api/events?token=${encodeURIComponent(environment.token ?? '')}&session=${encodeURIComponent(sessionId)}`;
    const opened = environment.createEventSource(url);
    opened.onopen = () => setConnection('connected');
    opened.onerror = () => setConnection(opened.readyState === 2 ? 'unreachable' : 'connecting');
    for (const name of listeners.keys()) addSourceListener(name, opened);
    return opened;
  }

  function reconnect() {
    source?.close();
    source = listeners.size === 0 ? null : open();
  }

  function addSourceListener(name: EventName, eventSource: EventSource) {
    eventSource.addEventListener(name, (message) => {
      let payload: unknown;
      try {
        payload = JSON.parse((message as MessageEvent<string>).data);
      } catch {
        return;
      }
      for (const listener of listeners.get(name) ?? []) listener(payload);
    });
  }

  function on<Name extends EventName>(name: Name, listener: (payload: Events[Name]) => void): () => void {
    if (!isEventName(name)) throw new Error(`unknown event ${String(name)}`);
    let forName = listeners.get(name);
    if (forName === undefined) {
      forName = new Set();
      listeners.set(name, forName);
      if (source !== null) addSourceListener(name, source);
    }
    source ??= open();
    forName.add(listener as AnyListener);
    return () => {
      forName.delete(listener as AnyListener);
    };
  }

  return { on, reconnect };
}

/** Chooses the transport the first time it is needed, so importing this module has no side effects. */
function createDefaultClient(): PayDeskClient {
  let resolved: PayDeskClient | null = null;
  const resolve = (): PayDeskClient => {
    if (resolved !== null) return resolved;
    if (window.paydesk !== undefined) {
      resolved = createBridgeClient(window.paydesk);
    } else {
      const session = createSessionIdStore(window.sessionStorage);
      captureSessionId(window.location, window.history, session);
      const tokenEnvironment = { location: window.location, history: window.history, storage: window.sessionStorage };
      const client = createHttpClient({
        fetch: (input, init) => window.fetch(input, init),
        createEventSource: (url) => new EventSource(url),
        token: captureSessionToken(tokenEnvironment),
        session,
      });
      // A restarted host prints a new token: opening its address in this tab changes only the hash, without a reload.
      window.addEventListener('hashchange', () => {
        if (readTokenFromHash(window.location.hash) !== null) client.useToken(captureSessionToken(tokenEnvironment));
      });
      resolved = client;
    }
    return resolved;
  };
  return {
    invoke: (name, request) => resolve().invoke(name, request).then(noteAnswer),
    on: (name, listener) => resolve().on(name, listener),
    onConnectionChange: (listener) => resolve().onConnectionChange(listener),
    connectionState: () => resolve().connectionState(),
  };
}

export const api: PayDeskClient = createDefaultClient();

/** Call once before the first render so the token leaves the address bar before routing reads the hash. */
export function startApiClient(): void {
  api.connectionState();
}
