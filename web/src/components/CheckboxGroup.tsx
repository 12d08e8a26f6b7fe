import type { ComponentChildren } from 'preact';

export interface CheckboxOption<T extends string> {
  value: T;
  label: ComponentChildren;
}

/**
 * A fieldset of checkboxes for a set of values. The selection is kept in the options' order,
 * whatever order they were ticked in, so what is sent reads the same as what is shown.
 */
export function CheckboxGroup<T extends string>({
  legend,
  class: className,
  options,
  selected,
  onChange,
}: {
  legend: string;
  class: string;
  options: ReadonlyArray<CheckboxOption<T>>;
  selected: readonly T[];
  onChange: (update: (current: T[]) => T[]) => void;
}) {
  return (
    <fieldset class={className}>
      <legend>{legend}</legend>
      {options.map(({ value, label }) => (
        <label key={value}>
          <input
            type="checkbox"
            checked={selected.includes(value)}
            onChange={(e) => {
              const checked = e.currentTarget.checked;
              onChange((current) =>
                checked
                  ? options.map((o) => o.value).filter((v) => v === value || current.includes(v))
                  : current.filter((v) => v !== value),
              );
            }}
          />
          {label}
        </label>
      ))}
    </fieldset>
  );
}
