import { useState, type FormEvent } from 'react';
import { accessLimits } from '../../../../shared/access';
import { FailureMessage } from '../../components/FailureMessage';
import { Field } from '../../components/Field';
import { useSessionStore } from './session-store';

/** The sign-in form, or on the first start the form that creates the administrator. */
export function SignInScreen() {
  const phase = useSessionStore((state) => state.phase);
  return (
    <div className="sign-in-screen">
      <main className="panel sign-in-panel" aria-labelledby="page-title">
        <p className="product">PayDesk</p>
        {phase === 'setup' ? <SetupForm /> : phase === 'sign-in' ? <SignInForm /> : <p className="muted">Connecting to the engine…</p>}
      </main>
    </div>
  );
}

function SignInForm() {
  const { signIn, sending, failure, notice } = useSessionStore();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (username.trim() === '' || password === '' || sending) return;
    await signIn(username, password);
    setPassword('');
  }
  return (
    <form onSubmit={submit} className="sign-in-form">
      <h1 id="page-title">Sign in</h1>
      {notice === null ? null : <p className="notice" role="status">{notice}</p>}
      <Field label="User name">
        {(control) => <input {...control} autoComplete="username" value={username} onChange={(event) => setUsername(event.target.value)} />}
      </Field>
      <Field label="Password">
        {(control) => (
          <input {...control} type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} />
        )}
      </Field>
      {failure === null ? null : <FailureMessage failure={failure} prefix="Not signed in:" />}
      <button type="submit" disabled={sending}>{sending ? 'Signing in…' : 'Sign in'}</button>
    </form>
  );
}

function SetupForm() {
  const { setUp, sending, failure } = useSessionStore();
  const [draft, setDraft] = useState({ username: '', displayName: '', password: '', repeat: '' });
  const [attempted, setAttempted] = useState(false);
  const tooShort = draft.password.length < accessLimits.passwordLengthMin;
  const errors = {
    username: /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(draft.username.trim()) ? undefined : 'Letters, digits and . _ - only.',
    displayName: draft.displayName.trim() === '' ? 'The display name is required.' : undefined,
    password: tooShort ? `At least ${accessLimits.passwordLengthMin} characters.` : undefined,
    repeat: draft.repeat === draft.password ? undefined : 'The two passwords differ.',
  };
  const shown = (field: keyof typeof errors) => (attempted || draft[field] !== '' ? errors[field] : undefined);
  const update = (field: keyof typeof draft) => (event: { target: { value: string } }) => setDraft({ ...draft, [field]: event.target.value });
  async function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (Object.values(errors).some((error) => error !== undefined) || sending) return;
    await setUp(draft.username.trim(), draft.displayName.trim(), draft.password);
  }
  return (
    <form onSubmit={submit} className="sign-in-form">
      <h1 id="page-title">Create the administrator</h1>
      <p className="muted">This ledger has no operators yet. The first one manages the others and the settings.</p>
      <Field label="User name" error={shown('username')}>
        {(control) => <input {...control} autoComplete="username" value={draft.username} onChange={update('username')} />}
      </Field>
      <Field label="Display name" error={shown('displayName')}>
        {(control) => <input {...control} value={draft.displayName} onChange={update('displayName')} />}
      </Field>
      <Field label="Password" error={shown('password')}>
        {(control) => <input {...control} type="password" autoComplete="new-password" value={draft.password} onChange={update('password')} />}
      </Field>
      <Field label="Repeat the password" error={shown('repeat')}>
        {(control) => <input {...control} type="password" autoComplete="new-password" value={draft.repeat} onChange={update('repeat')} />}
      </Field>
      {failure === null ? null : <FailureMessage failure={failure} prefix="Not created:" />}
      <button type="submit" disabled={sending}>{sending ? 'Creating…' : 'Create administrator and sign in'}</button>
    </form>
  );
}
