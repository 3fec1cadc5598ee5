// Prints benchmark rows as an aligned text table and writes them as JSON under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type Row = Record<string, string | number>;

export function formatTable(rows: Row[]): string {
  if (!rows.length) return '(no rows)';
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const num = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) < 10 ? String(Number(v.toPrecision(3))) : v.toFixed(1));
  const cell = (v: string | number | undefined) => (v === undefined ? '' : typeof v === 'number' ? num(v) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => `| ${vals.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [line(cols), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

export function writeResults(suite: string, rows: Row[], meta: Record<string, unknown>): string {
  const dir = path.resolve(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${suite}.json`);
  writeFileSync(file, `${JSON.stringify({ suite, date: new Date().toISOString(), ...meta, rows }, null, 2)}\n`);
  return file;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
