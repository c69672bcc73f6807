import { isPaymentReasonCode } from '../../../shared/codes';
import type { Failure } from '../../../shared/result';

/**
 * An error as a sentence. A payment's ISO 20022 reason code (AM04, AC01...)
 * follows it, because operators quote it to banks; PayDesk's own codes stay
 * out of sight (kept in data-code for support and tests).
 */
export function FailureMessage({ failure, prefix }: { failure: Failure; prefix?: string }) {
  return (
    <p className="failure" role="alert" data-code={failure.code}>
      {prefix === undefined ? null : <span>{prefix} </span>}
      {failure.message}
      {isPaymentReasonCode(failure.code) ? (
        <>
          {' '}
          <span className="muted">(reason <span className="code">{failure.code}</span>)</span>
        </>
      ) : null}
    </p>
  );
}
