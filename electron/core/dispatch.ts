import { channels, isChannelName, type Handlers } from '../../shared/contract';
import { sentenceFor } from '../../shared/codes';
import { failure, type Result } from '../../shared/result';

/**
 * Turns the engine's handlers into one function that every transport calls
 * (Electron IPC, the loopback host, tests). The renderer is untrusted: the
 * channel name is checked against the contract and the request is validated
 * by the channel's schema before any handler runs. A malformed request gets
 * FF01 with the first problem spelled out, and changes nothing.
 */
export type Dispatch = (channelName: unknown, request: unknown) => Promise<Result<unknown>>;

export function createDispatch(handlers: Handlers): Dispatch {
  return async (channelName, request) => {
    if (!isChannelName(channelName)) {
      return failure('UNKNOWN_CHANNEL', `The engine has no operation called "${String(channelName).slice(0, 60)}".`);
    }
    const parsed = channels[channelName].request.safeParse(request ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.join('.');
      const message = issue.code === 'unrecognized_keys' ? `Unexpected field: ${issue.keys.join(', ')}.` : issue.message;
      return failure('FF01', message, field === '' ? undefined : field);
    }
    const handler = handlers[channelName] as (request: unknown) => Promise<Result<unknown>>;
    try {
      return await handler(parsed.data);
    } catch (error) {
      console.error(`paydesk: ${channelName} failed`, error);
      return failure('INTERNAL', sentenceFor('INTERNAL'));
    }
  };
}
