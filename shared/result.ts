import type { ReasonCode } from './codes';

/** An expected failure: a stable code and a sentence an operator understands. */
export interface Failure {
  ok: false;
  code: ReasonCode;
  message: string;
  /** Where the failure applies, when it concerns one field of a request. */
  field?: string;
}

export interface Success<T> {
  ok: true;
  value: T;
}

export type Result<T> = Success<T> | Failure;

export function success<T>(value: T): Success<T> {
  return { ok: true, value };
}

export function failure(code: ReasonCode, message: string, field?: string): Failure {
  return field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };
}
