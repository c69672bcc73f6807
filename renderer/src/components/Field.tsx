import { useId, type ReactNode } from 'react';

export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

interface FieldProps {
  label: string;
  /** Shown under the control while the value is wrong. */
  error?: string;
  className?: string;
  children: (control: ControlProps) => ReactNode;
}

/**
 * A visible label tied to its control by id rather than by wrapping, so the
 * control's accessible name is exactly the label text (a wrapping label would
 * also read out the control's current value or selected option).
 */
export function Field({ label, error, className, children }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const control: ControlProps =
    error === undefined ? { id } : { id, 'aria-describedby': errorId, 'aria-invalid': true };
  return (
    <div className={className === undefined ? 'field' : `field ${className}`}>
      <label htmlFor={id}>{label}</label>
      {children(control)}
      {error === undefined ? null : (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
