import { useState, type FormEvent } from 'react';
import { accessLimits, roleLabels, roles, type Role } from '../../../../shared/access';
import type { Failure } from '../../../../shared/result';
import { api } from '../../api/client';
import { FailureMessage } from '../../components/FailureMessage';
import { Field } from '../../components/Field';
import { formatTimestamp } from '../../lib/format';
import { useSessionStore } from '../sign-in/session-store';
import { useEngineQuery } from '../sign-in/use-engine-list';

/** Administrators create operators with a role and disable or enable them. */
export function OperatorsPage() {
  const { value, failure, reload } = useEngineQuery('operator-list', {});
  const me = useSessionStore((state) => state.operator?.username);
  const [refusal, setRefusal] = useState<Failure | null>(null);
  async function setStatus(username: string, status: 'active' | 'disabled') {
    const result = await api.invoke('operator-set-status', { username, status });
    setRefusal(result.ok ? null : result);
    await reload();
  }
  return (
    <>
      <div className="page-heading">
        <h1 id="page-title">Operators</h1>
      </div>
      {failure === null ? null : <FailureMessage failure={failure} />}
      {refusal === null ? null : <FailureMessage failure={refusal} prefix="Not changed:" />}
      <div className="table-frame">
        <table className="data-table" aria-label="Operators">
          <thead>
            <tr><th>User name</th><th>Name</th><th>Role</th><th>Status</th><th>Created</th><th>Created by</th><th /></tr>
          </thead>
          <tbody>
            {(value ?? []).map((operator) => (
              <tr key={operator.username}>
                <td className="mono">{operator.username}</td>
                <td>{operator.displayName}</td>
                <td>{operator.role}</td>
                <td>{operator.status}</td>
                <td className="nowrap">{formatTimestamp(operator.createdAtMs)}</td>
                <td>{operator.createdBy}</td>
                <td>
                  {operator.username === me ? null : (
                    <button type="button" onClick={() => void setStatus(operator.username, operator.status === 'active' ? 'disabled' : 'active')}>
                      {operator.status === 'active' ? `Disable ${operator.username}` : `Enable ${operator.username}`}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <NewOperatorForm onCreated={() => void reload()} />
    </>
  );
}

function NewOperatorForm({ onCreated }: { onCreated: () => void }) {
  const empty = { username: '', displayName: '', password: '', role: 'operator' as Role };
  const [draft, setDraft] = useState(empty);
  const [refusal, setRefusal] = useState<Failure | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const update = (key: keyof typeof draft) => (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value });
  const passwordError = draft.password !== '' && draft.password.length < accessLimits.passwordLengthMin
    ? `At least ${accessLimits.passwordLengthMin} characters.` : undefined;
  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await api.invoke('operator-create', { ...draft, username: draft.username.trim(), displayName: draft.displayName.trim() });
    setRefusal(result.ok ? null : result);
    setCreated(result.ok ? `Operator ${result.value.username} created as ${result.value.role}.` : null);
    if (!result.ok) return;
    setDraft(empty);
    onCreated();
  }
  return (
    <section className="panel" aria-labelledby="new-operator-title">
      <h2 id="new-operator-title">New operator</h2>
      <form className="form-grid" onSubmit={submit}>
        <Field label="User name">{(control) => <input {...control} value={draft.username} onChange={update('username')} />}</Field>
        <Field label="Display name">{(control) => <input {...control} value={draft.displayName} onChange={update('displayName')} />}</Field>
        <Field label="Initial password" error={passwordError}>
          {(control) => <input {...control} type="password" autoComplete="new-password" value={draft.password} onChange={update('password')} />}
        </Field>
        <Field label="Role">
          {(control) => (
            <select {...control} value={draft.role} onChange={update('role')}>
              {roles.map((role) => <option key={role} value={role}>{roleLabels[role]}</option>)}
            </select>
          )}
        </Field>
        <div className="form-actions"><button type="submit">Create operator</button></div>
      </form>
      {created === null ? null : <p className="success" role="status">{created}</p>}
      {refusal === null ? null : <FailureMessage failure={refusal} prefix="Not created:" />}
    </section>
  );
}
