import { useState, type FormEvent } from 'react';
import { accessLimits, operatorCreateSchema, roleLabels, roles, type Operator, type Role } from '../../../../shared/access';
import type { Failure } from '../../../../shared/result';
import { api } from '../../api/client';
import { FailureMessage } from '../../components/FailureMessage';
import { Field } from '../../components/Field';
import { formatTimestamp } from '../../lib/format';
import { useSessionStore } from '../sign-in/session-store';
import { useEngineQuery } from '../sign-in/use-engine-list';

/**
 * Administrators create operators, change their role, reset a forgotten
 * password, and disable or enable them. Every change is audited by core;
 * the page says what happened in a sentence.
 */
export function OperatorsPage() {
  const { value, failure, reload } = useEngineQuery('operator-list', {});
  const me = useSessionStore((state) => state.operator?.username);
  const [refusal, setRefusal] = useState<Failure | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [resetting, setResetting] = useState<string | null>(null);

  /** Runs one change and reports it: a sentence on success, the refusal otherwise. */
  async function change(run: () => ReturnType<typeof api.invoke<'operator-set-status'>>, sentence: (operator: Operator) => string) {
    const result = await run();
    setRefusal(result.ok ? null : result);
    setDone(result.ok ? sentence(result.value) : null);
    await reload();
    return result.ok;
  }
  const setStatus = (username: string, status: 'active' | 'disabled') =>
    change(() => api.invoke('operator-set-status', { username, status }), (operator) =>
      operator.status === 'disabled' ? `${operator.username} is disabled and signed out.` : `${operator.username} is enabled again.`);
  const setRole = (username: string, role: Role) =>
    change(() => api.invoke('operator-set-role', { username, role }), (operator) => `${operator.username} is now ${withArticle(operator.role)}.`);
  const resetPassword = (username: string, newPassword: string) =>
    change(() => api.invoke('operator-password-reset', { username, newPassword }),
      (operator) => `The password of ${operator.username} was reset; ${operator.username} signs in with the new one.`);

  return (
    <>
      <div className="page-heading">
        <h1 id="page-title">Operators</h1>
      </div>
      {failure === null ? null : <FailureMessage failure={failure} />}
      {refusal === null ? null : <FailureMessage failure={refusal} prefix="Not changed:" />}
      {done === null ? null : <p className="success" role="status">{done}</p>}
      <div className="table-frame">
        <table className="data-table" aria-label="Operators">
          <thead>
            <tr><th>User name</th><th>Name</th><th>Role</th><th>Status</th><th>Created</th><th>Actions</th></tr>
          </thead>
          <tbody>
            {(value ?? []).map((operator) => (
              <OperatorRow
                key={operator.username}
                operator={operator}
                isMe={operator.username === me}
                resetting={resetting === operator.username}
                onReset={(open) => setResetting(open ? operator.username : null)}
                onStatus={(status) => void setStatus(operator.username, status)}
                onRole={(role) => void setRole(operator.username, role)}
                onPassword={async (password) => {
                  if (await resetPassword(operator.username, password)) setResetting(null);
                }}
              />
            ))}
          </tbody>
        </table>
      </div>
      <NewOperatorForm onCreated={() => void reload()} />
    </>
  );
}

interface OperatorRowProps {
  operator: Operator;
  isMe: boolean;
  resetting: boolean;
  onReset: (open: boolean) => void;
  onStatus: (status: 'active' | 'disabled') => void;
  onRole: (role: Role) => void;
  onPassword: (password: string) => Promise<void>;
}

function OperatorRow({ operator, isMe, resetting, onReset, onStatus, onRole, onPassword }: OperatorRowProps) {
  const { username } = operator;
  return (
    <>
      <tr data-testid={`operator-${username}`}>
        <td className="mono">{username}</td>
        <td>{operator.displayName}{isMe ? <span className="muted"> (you)</span> : null}</td>
        <td>
          {isMe ? operator.role : (
            <select aria-label={`Role of ${username}`} value={operator.role} onChange={(event) => onRole(event.target.value as Role)}>
              {roles.map((role) => <option key={role} value={role}>{role}</option>)}
            </select>
          )}
        </td>
        <td><span className={`badge ${operator.status === 'active' ? 'badge-open' : 'badge-closed'}`}>{operator.status}</span></td>
        <td className="nowrap">{formatTimestamp(operator.createdAtMs)} <span className="muted">by {operator.createdBy}</span></td>
        <td className="actions">
          {isMe ? <span className="muted">Use "Change password" above</span> : (
            <span className="button-row">
              <button type="button" aria-label={`Reset the password of ${username}`} aria-expanded={resetting} onClick={() => onReset(!resetting)}>
                Reset password
              </button>
              <button type="button" aria-label={`${operator.status === 'active' ? 'Disable' : 'Enable'} ${username}`}
                onClick={() => onStatus(operator.status === 'active' ? 'disabled' : 'active')}>
                {operator.status === 'active' ? 'Disable' : 'Enable'}
              </button>
            </span>
          )}
        </td>
      </tr>
      {resetting ? (
        <tr>
          <td colSpan={6}>
            <PasswordResetForm username={username} onCancel={() => onReset(false)} onSubmit={onPassword} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function PasswordResetForm({ username, onCancel, onSubmit }: { username: string; onCancel: () => void; onSubmit: (password: string) => Promise<void> }) {
  const [password, setPassword] = useState('');
  const [attempted, setAttempted] = useState(false);
  const error = passwordError(password, attempted);
  return (
    <form
      className="inline-form"
      aria-label={`New password for ${username}`}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setAttempted(true);
        if (passwordError(password, true) === undefined) void onSubmit(password);
      }}
    >
      <Field label={`New password for ${username}`} error={error}>
        {(control) => <input {...control} type="password" autoComplete="new-password" value={password} onChange={(event) => setPassword(event.target.value)} />}
      </Field>
      <p className="muted">{username} is signed out everywhere and signs in with this password. Tell them in person, not by e-mail.</p>
      <div className="form-actions">
        <button type="submit" className="primary">Set the new password</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

export function passwordError(password: string, attempted: boolean): string | undefined {
  if (password === '') return attempted ? 'The password is required.' : undefined;
  if (password.length < accessLimits.passwordLengthMin) return `At least ${accessLimits.passwordLengthMin} characters.`;
  if (password.length > accessLimits.passwordLengthMax) return `At most ${accessLimits.passwordLengthMax} characters.`;
  return undefined;
}

function withArticle(role: string): string {
  return /^[aeiou]/.test(role) ? `an ${role}` : `a ${role}`;
}

type OperatorDraft = { username: string; displayName: string; password: string; role: Role };

/** The same checks core makes (shared/access.ts), field by field, as the administrator types. */
function draftErrors(draft: OperatorDraft, attempted: boolean): Partial<Record<keyof OperatorDraft, string>> {
  const errors: Partial<Record<keyof OperatorDraft, string>> = {};
  const parsed = operatorCreateSchema.safeParse(draft);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as keyof OperatorDraft;
      if (errors[field] === undefined && (attempted || draft[field] !== '')) errors[field] = issue.message;
    }
  }
  const password = passwordError(draft.password, attempted);
  if (password !== undefined) errors.password = password;
  return errors;
}

function NewOperatorForm({ onCreated }: { onCreated: () => void }) {
  const empty: OperatorDraft = { username: '', displayName: '', password: '', role: 'operator' };
  const [draft, setDraft] = useState(empty);
  const [attempted, setAttempted] = useState(false);
  const [refusal, setRefusal] = useState<Failure | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const update = (key: keyof OperatorDraft) => (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value });
  const errors = draftErrors(draft, attempted);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(draftErrors(draft, true)).length > 0) return;
    const result = await api.invoke('operator-create', { ...draft, username: draft.username.trim(), displayName: draft.displayName.trim() });
    setRefusal(result.ok ? null : result);
    setCreated(result.ok ? `Operator ${result.value.username} created as ${result.value.role}.` : null);
    if (!result.ok) return;
    setDraft(empty);
    setAttempted(false);
    onCreated();
  }
  return (
    <section className="panel" aria-labelledby="new-operator-title">
      <h2 id="new-operator-title">New operator</h2>
      <form className="form-grid" onSubmit={submit} noValidate aria-label="New operator">
        <Field label="User name" error={errors.username}>{(control) => <input {...control} value={draft.username} onChange={update('username')} />}</Field>
        <Field label="Display name" error={errors.displayName}>
          {(control) => <input {...control} value={draft.displayName} onChange={update('displayName')} />}
        </Field>
        <Field label="Initial password" error={errors.password}>
          {(control) => <input {...control} type="password" autoComplete="new-password" value={draft.password} onChange={update('password')} />}
        </Field>
        <Field label="Role">
          {(control) => (
            <select {...control} value={draft.role} onChange={update('role')}>
              {roles.map((role) => <option key={role} value={role}>{roleLabels[role]}</option>)}
            </select>
          )}
        </Field>
        <div className="form-actions"><button type="submit" className="primary">Create operator</button></div>
      </form>
      {created === null ? null : <p className="success" role="status">{created}</p>}
      {refusal === null ? null : <FailureMessage failure={refusal} prefix="Not created:" />}
    </section>
  );
}
