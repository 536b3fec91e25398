import type { ReactNode } from 'react';

/** A column: its label, or its label and a class (width, alignment). */
export type Column = string | { label: string; className: string };

/**
 * The header of a list table: an optional leading cell (a select-all box),
 * the columns, then the actions column every list ends with, unlabelled on
 * screen and named for screen readers.
 */
export function TableHeader({ columns, lead }: { columns: Column[]; lead?: ReactNode }) {
  return (
    <thead>
      <tr>
        {lead}
        {columns.map((c) => {
          const { label, className } = typeof c === 'string' ? { label: c, className: undefined } : c;
          return (
            <th scope="col" key={label} className={className}>
              {label}
            </th>
          );
        })}
        <th scope="col" className="cell-actions">
          <span className="visually-hidden">Actions</span>
        </th>
      </tr>
    </thead>
  );
}
