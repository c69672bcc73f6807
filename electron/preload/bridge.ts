import {
  ipcEventChannel,
  ipcPrefix,
  isChannelName,
  isEventName,
  type EventName,
  type PayDeskApi,
} from '../../shared/contract';
import { failure } from '../../shared/result';

/**
 * Builds the one object the renderer sees as `window.paydesk`. It knows only
 * the contract's channel and event names; anything else is refused here, and
 * again by the main process, and the request itself is validated by core.
 * Written against a small slice of ipcRenderer so it is tested without Electron.
 */
export interface IpcRendererSlice {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** A renderer that registers more listeners than this is leaking them. */
export const eventListenersMax = 200;

export function createPayDeskApi(ipcRenderer: IpcRendererSlice): PayDeskApi {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  ipcRenderer.on(ipcEventChannel, (_event, name, payload) => {
    if (!isEventName(name)) return;
    for (const listener of listeners.get(name) ?? []) listener(payload as never);
  });
  let listenerCount = 0;
  const api: PayDeskApi = {
    invoke(name, request) {
      if (!isChannelName(name)) {
        return Promise.resolve(failure('UNKNOWN_CHANNEL', `The engine has no operation called "${String(name).slice(0, 60)}".`));
      }
      return ipcRenderer.invoke(ipcPrefix + name, request) as ReturnType<PayDeskApi['invoke']>;
    },
    on(name, listener) {
      if (!isEventName(name)) throw new TypeError(`PayDesk has no event called "${String(name).slice(0, 60)}".`);
      if (typeof listener !== 'function') throw new TypeError('The listener must be a function.');
      if (listenerCount >= eventListenersMax) throw new RangeError(`At most ${eventListenersMax} event listeners may be registered.`);
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      const stored = listener as (payload: never) => void;
      set.add(stored);
      listenerCount += 1;
      return () => {
        if (set.delete(stored)) listenerCount -= 1;
      };
    },
  };
  return Object.freeze(api);
}
