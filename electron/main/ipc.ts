import { channelNames, ipcEventChannel, ipcPrefix, type EventName } from '../../shared/contract';
import { failure, type Result } from '../../shared/result';

/**
 * The Electron IPC transport: one handler per contract channel, each refusing
 * messages from any frame that is not PayDesk's own renderer before the engine
 * sees them. Written against slices of ipcMain and WebContents (types only), so
 * it is tested in memory without Electron.
 */

export interface IpcInvokeEventSlice {
  senderFrame: { url: string } | null;
  /** The window's web contents: its id keys the operator's session, so the renderer holds no secret. */
  sender?: { id: number };
}

export interface IpcMainSlice {
  handle(channel: string, listener: (event: IpcInvokeEventSlice, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export type DispatchFunction = (channelName: unknown, request: unknown, context: { kind: 'window'; sessionKey: string }) => Promise<Result<unknown>>;

/** Registers every channel; returns a function that removes them again. */
export function registerChannels(
  ipcMain: IpcMainSlice,
  isTrustedSender: (url: string) => boolean,
  currentDispatch: () => DispatchFunction,
): () => void {
  for (const name of channelNames) {
    ipcMain.handle(ipcPrefix + name, async (event, request) => {
      const url = event.senderFrame?.url ?? '';
      if (!isTrustedSender(url)) {
        console.warn(`paydesk: refused ${name} from an untrusted frame: ${url.slice(0, 200)}`);
        return failure('FF01', 'This request did not come from the PayDesk window and was refused.');
      }
      return currentDispatch()(name, request, { kind: 'window', sessionKey: `window:${event.sender?.id ?? 'unknown'}` });
    });
  }
  return () => {
    for (const name of channelNames) ipcMain.removeHandler(ipcPrefix + name);
  };
}

/**
 * Decides whether a frame URL is the PayDesk renderer: the app:// origin it is
 * served from, or in development the electron-vite dev server's origin.
 */
export function createSenderCheck(appOrigin: { protocol: string; host: string }, devServerUrl: string | undefined) {
  const devOrigin = devServerUrl ? new URL(devServerUrl).origin : null;
  return (url: string): boolean => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (parsed.protocol === appOrigin.protocol && parsed.host === appOrigin.host) return true;
    return devOrigin !== null && parsed.origin === devOrigin;
  };
}

export interface WebContentsSlice {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/** Sends one engine event to every window that is still alive. */
export function forwardEvent(targets: Iterable<WebContentsSlice>, name: EventName, payload: unknown) {
  for (const target of targets) {
    if (!target.isDestroyed()) target.send(ipcEventChannel, name, payload);
  }
}
