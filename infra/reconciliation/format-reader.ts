import type { ReportFormat, ReportLine } from '../../domain/reconciliation/index.ts';

export type RowResult = { ok: true; line: ReportLine } | { ok: false; message: string };

/** A format once its header is read: turns each data row into a line or a problem. */
export type RowParser = (fields: readonly string[], lineNumber: number) => RowResult;

export interface FormatReader {
  readonly format: ReportFormat;
  /** Finds the columns by name; refuses a header that lacks a required one. */
  readHeader(
    header: readonly string[],
  ): { ok: true; parseRow: RowParser } | { ok: false; message: string };
}

/** Column positions by name, for the columns a format knows. */
export type ColumnIndex = ReadonlyMap<string, number>;

export function indexColumns(
  header: readonly string[],
  normalize: (name: string) => string,
): ColumnIndex {
  const index = new Map<string, number>();
  header.forEach((name, position) => {
    const key = normalize(name);
    if (!index.has(key)) index.set(key, position);
  });
  return index;
}

/** The first of several spellings a column may have, or undefined. */
export function findColumn(index: ColumnIndex, names: readonly string[]): number | undefined {
  for (const name of names) {
    const position = index.get(name);
    if (position !== undefined) return position;
  }
  return undefined;
}

export function fieldAt(fields: readonly string[], position: number | undefined): string {
  return position === undefined ? '' : (fields[position] ?? '').trim();
}

/** Ids from a report: printable, bounded, since they become settlement ids and evidence. */
export function isUsableId(text: string): boolean {
  if (text.length === 0 || text.length > 255) return false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}
