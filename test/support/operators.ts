import { Engine } from '../../electron/core/engine';
import type { CallContext } from '../../electron/core/security/call-context';
import type { Role } from '../../shared/access';
import type { ChannelName, RequestOf, ResponseOf } from '../../shared/contract';
import type { Result } from '../../shared/result';

/** Signed-in callers for tests: each acts through `dispatch` with an http-style session, as the host's client does. */
export const testPassword = 'correct horse battery';

export interface SignedInCaller {
  username: string;
  context: CallContext;
  call<Name extends ChannelName>(name: Name, request: RequestOf<Name>): Promise<Result<ResponseOf<Name>>>;
}

export async function signIn(engine: Engine, username: string, password = testPassword): Promise<SignedInCaller> {
  const result = await engine.dispatch('session-sign-in', { username, password }, { kind: 'http', sessionKey: null });
  if (!result.ok) throw new Error(`${username} could not sign in: ${result.message}`);
  const context: CallContext = { kind: 'http', sessionKey: (result.value as { sessionId: string }).sessionId };
  return {
    username,
    context,
    call: (name, request) => engine.dispatch(name, request, context) as never,
  };
}

/** The first administrator (through the public setup channel), then one operator per role asked for. */
export async function withOperators<Names extends string>(
  engine: Engine,
  roles: Record<Names, Role>,
): Promise<Record<Names | 'admin', SignedInCaller>> {
  const administrator = { username: 'admin', displayName: 'Admin', password: testPassword };
  const setup = await engine.dispatch('session-setup', administrator, { kind: 'http', sessionKey: null });
  if (!setup.ok) throw new Error(setup.message);
  const callers = { admin: await signIn(engine, 'admin') } as Record<Names | 'admin', SignedInCaller>;
  for (const [username, role] of Object.entries(roles) as [Names, Role][]) {
    const created = await callers.admin.call('operator-create', { username, displayName: username, password: testPassword, role });
    if (!created.ok) throw new Error(created.message);
    callers[username] = await signIn(engine, username);
  }
  return callers;
}
