// docker's --format for lists (cli/command/formatter): "table" (the verb's
// default columns), "table TEMPLATE" (a header row, then columns aligned by
// Go's tabwriter), "json" (one object per line) or a bare TEMPLATE per row.
import { asStruct, GoTemplate, TemplateError } from './go-template.js';
import { UsageError } from './args.js';

/** A row of a list: docker's field names, values already in docker's text. */
export type Row = Record<string, unknown>;

export interface ListFormat {
  /** The verb's default, e.g. "table {{.ID}}\t{{.Image}}". */
  defaultFormat: string;
  /** Column titles by field name, e.g. { ID: 'CONTAINER ID' }. */
  headers: Record<string, string>;
}

/**
 * Go's text/tabwriter as docker configures it (minwidth 10, tabwidth 1,
 * padding 3, padchar ' '): each tab-terminated cell of a column block is
 * padded to the block's widest cell plus 3; the text after the last tab is not.
 */
export function tabwrite(text: string, minWidth = 10, padding = 3): string {
  const lines = text.split('\n');
  const cells = lines.map((l) => l.split('\t'));
  const out = cells.map((c) => [...c]);
  const columns = Math.max(0, ...cells.map((c) => c.length - 1));
  for (let col = 0; col < columns; col++) {
    // A column block: consecutive lines that have a tab-terminated cell in this column.
    let i = 0;
    while (i < cells.length) {
      if ((cells[i] as string[]).length - 1 <= col) {
        i++;
        continue;
      }
      let j = i;
      let width = minWidth;
      while (j < cells.length && (cells[j] as string[]).length - 1 > col) {
        width = Math.max(width, [...((cells[j] as string[])[col] as string)].length + padding);
        j++;
      }
      for (let k = i; k < j; k++) {
        const row = out[k] as string[];
        const cell = row[col] as string;
        row[col] = cell + ' '.repeat(width - [...cell].length);
      }
      i = j;
    }
  }
  return out.map((c) => c.join('')).join('\n');
}

/** docker's Format.IsTable / preFormat: strip "table", trim, turn \t and \n escapes into characters. */
function preFormat(format: string): { table: boolean; body: string } {
  const table = format.startsWith('table');
  const body = (table ? format.slice('table'.length) : format).trim().replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return { table, body };
}

function compile(body: string): GoTemplate {
  try {
    return new GoTemplate(body);
  } catch (err) {
    if (err instanceof TemplateError) throw new UsageError(`template parsing error: ${err.message}`);
    throw err;
  }
}

function run(t: GoTemplate, data: unknown): string {
  try {
    return t.execute(data);
  } catch (err) {
    if (err instanceof TemplateError) throw new UsageError(`template: ${err.message.replace(/^template: /, '')}`);
    throw err;
  }
}

/** Renders rows with --format (or the verb's default table). */
export function renderList(format: string | undefined, spec: ListFormat, rows: Row[]): string {
  const chosen = format === undefined || format === '' || format === 'table' ? spec.defaultFormat : format;
  if (chosen === 'json') return renderList('{{json .}}', spec, rows);
  const { table, body } = preFormat(chosen);
  const t = compile(body);
  // Go marshals a map with sorted keys; docker's {{json .}} of a row is such a map.
  rows = rows.map((r) => Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]])));
  let text = '';
  if (table) {
    const header = asStruct(
      Object.fromEntries(Object.keys(rows[0] ?? spec.headers).concat(Object.keys(spec.headers)).map((k) => {
        const title = spec.headers[k] ?? k.toUpperCase();
        return [k, typeof rows[0]?.[k] === 'function' ? () => title : title];
      })),
    );
    text += run(t, header) + '\n';
  }
  for (const r of rows) text += run(t, asStruct(r)) + '\n';
  return table ? tabwrite(text) : text;
}

/** One object (inspect -f): the template's output and a newline, as docker prints it. */
export function renderOne(format: string, data: unknown): string {
  if (format === 'json') return JSON.stringify(data) + '\n';
  return run(compile(preFormat(format).body), data) + '\n';
}
