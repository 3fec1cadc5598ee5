// Prints evaluation rows (method.md §7 metrics, in percent) as an aligned Markdown-style table.
import type { Row } from './evaluate';

/** Columns that hold counts; every other number is a percentage shown with one decimal. */
const COUNT_COLUMNS = new Set(['classes', 'images', 'predictions']);

function cell(v: string | number | undefined, column: string): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (v === -1) return 'n/a';
  return COUNT_COLUMNS.has(column) ? String(v) : v.toFixed(1);
}

export function formatRows(rows: readonly Row[]): string {
  if (!rows.length) return '(no rows)';
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c], c).length)));
  const line = (vals: string[]) => `| ${vals.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ')} |`;
  return [line(cols), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map((r) => line(cols.map((c) => cell(r[c], c))))].join('\n');
}
