// Test helper: reads the Slurm fixtures (hand-written and recorded on 22.05).
import { readFileSync } from 'node:fs';

const root = new URL('../fixtures/slurm/', import.meta.url);

export function hand(name: string): string {
  return readFileSync(new URL(`hand/${name}`, root), 'utf8');
}

export function recorded(name: string): string {
  return readFileSync(new URL(`22.05/${name}`, root), 'utf8');
}

/** A local wall-clock time as Unix seconds, the way sacct prints times without SLURM_TIME_FORMAT. */
export function local(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  return new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;
}
