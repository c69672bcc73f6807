import type { Failure } from '../../../shared/result';

/** Every error shows its stable code and the sentence, so operators can quote both. */
export function FailureMessage({ failure, prefix }: { failure: Failure; prefix?: string }) {
  return (
    <p className="failure" role="alert">
      {prefix === undefined ? null : <span>{prefix} </span>}
      <span className="code">{failure.code}</span> {failure.message}
    </p>
  );
}
