/** Labelled form fields for the wizard: each with its hint and its live problem, announced politely. */
import { useId, type ReactNode } from 'react';

export interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  problem?: string | undefined;
  type?: 'text' | 'password' | 'url';
  placeholder?: string;
  multiline?: boolean;
  autoComplete?: string;
}

export function TextField(props: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const problemId = `${id}-problem`;
  const describedBy = [props.hint ? hintId : '', props.problem ? problemId : ''].filter(Boolean).join(' ');
  const common = {
    id,
    className: 'input wizard__input',
    value: props.value,
    placeholder: props.placeholder,
    'aria-invalid': props.problem ? true : undefined,
    'aria-describedby': describedBy || undefined,
    spellCheck: false,
  } as const;
  return (
    <div className="field wizard__field">
      <label className="field__label" htmlFor={id}>
        {props.label}
      </label>
      {props.multiline ? (
        <textarea {...common} rows={3} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          type={props.type ?? 'text'}
          autoComplete={props.autoComplete ?? 'off'}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
      {props.hint ? (
        <span id={hintId} className="muted wizard__hint">
          {props.hint}
        </span>
      ) : null}
      <span id={problemId} className="text-bad wizard__problem" aria-live="polite">
        {props.problem ?? ''}
      </span>
    </div>
  );
}

export function Choice<T extends string>(props: {
  legend: string;
  name: string;
  value: T;
  options: ReadonlyArray<{ value: T; label: string; detail: string }>;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className="segmented">
      <legend className="field__label">{props.legend}</legend>
      {props.options.map((o) => (
        <label key={o.value} className={`segmented__option${props.value === o.value ? ' is-checked' : ''}`}>
          <input
            type="radio"
            name={props.name}
            value={o.value}
            checked={props.value === o.value}
            onChange={() => props.onChange(o.value)}
          />
          <span>
            <strong>{o.label}</strong>
            <span className="muted"> · {o.detail}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
