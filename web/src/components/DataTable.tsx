import type { ComponentChildren } from 'preact';

/** A column's header: its label, or `{ label, hidden }` for one only screen readers name (e.g. the actions). */
export type DataTableColumn = string | { label: string; hidden?: boolean; numeric?: boolean };

/**
 * A table that scrolls sideways inside its box on a narrow screen, with one header row; the rows
 * are the children. Columns that are `false` are left out (e.g. actions a read-only view lacks).
 */
export function DataTable({
  class: className,
  columns,
  children,
}: {
  class: string;
  columns: ReadonlyArray<DataTableColumn | false>;
  children: ComponentChildren;
}) {
  return (
    <div class="table-wrap">
      <table class={className}>
        <thead>
          <tr>
            {columns
              .filter((column): column is DataTableColumn => column !== false)
              .map((column) => {
                const {
                  label,
                  hidden = false,
                  numeric = false,
                } = typeof column === 'string' ? { label: column } : column;
                return (
                  <th key={label} scope="col" class={numeric ? 'num' : undefined}>
                    {hidden ? <span class="visually-hidden">{label}</span> : label}
                  </th>
                );
              })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
