// Test helper: reads the Slurm fixtures (hand-written, and recorded on 22.05 and 24.11).
import { readFileSync } from 'node:fs';

const root = new URL('../fixtures/slurm/', import.meta.url);

export function hand(name: string): string {
  return readFileSync(new URL(`hand/${name}`, root), 'utf8');
}

/** A file recorded by test/fixtures/slurm/record.sh on the given Slurm version. */
export function recorded(name: string, version: '22.05' | '24.11' = '22.05'): string {
  return readFileSync(new URL(`${version}/${name}`, root), 'utf8');
}

/** A local wall-clock time as Unix seconds, the way sacct prints times without SLURM_TIME_FORMAT. */
export function local(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  return new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;
}
