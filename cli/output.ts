import Table from 'cli-table3';

/** A cell: missing values print as an empty cell. */
export type Cell = string | number | boolean | undefined | null;

/** A plain table (no colours, so output is the same on a terminal, in a pipe and in tests). */
export function renderTable(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map((cell) => (cell == null ? '' : String(cell))));
  return table.toString();
}

export interface Output {
  json: boolean;
  /** Prints `data` as one JSON document with --json, else the text `human()` renders. */
  result(data: unknown, human: () => string): void;
}

export function createOutput(
  json: boolean,
  write = (text: string) => process.stdout.write(text),
): Output {
  return {
    json,
    result(data, human) {
      write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
    },
  };
}

/** `n thing(s)`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** A list as a table and its count line (`3 groups`), or the `none` sentence when it is empty. */
export function listTable<T>(
  items: readonly T[],
  spec: { none: string; noun: string; head: readonly string[]; row: (item: T) => readonly Cell[] },
): string {
  if (items.length === 0) return spec.none;
  return `${renderTable(spec.head, items.map(spec.row))}\n${count(items.length, spec.noun)}`;
}
