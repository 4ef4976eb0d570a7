// Where a series' points fall in a chart's box; no DOM, so unit tests run it under Node.

export interface Box {
  width: number;
  height: number;
  /** Room left for the axis labels. */
  left: number;
  bottom: number;
  top: number;
  right: number;
}

export interface Point {
  t: number;
  v: number;
}

export interface Scaled {
  /** SVG polyline "x,y x,y ..." */
  line: string;
  xy: [number, number][];
  max: number;
}

/** Points scaled to the box, time from t0 to t1 left to right, 0 to the series' max (or `floorMax`) up. */
export function scale(points: readonly Point[], t0: number, t1: number, box: Box, floorMax = 0): Scaled {
  const max = Math.max(floorMax, ...points.map((p) => p.v), 1);
  const w = box.width - box.left - box.right;
  const h = box.height - box.top - box.bottom;
  const span = Math.max(1, t1 - t0);
  const xy = points.map((p): [number, number] => [
    round(box.left + ((p.t - t0) / span) * w),
    round(box.top + h - (p.v / max) * h),
  ]);
  return { line: xy.map(([x, y]) => `${x},${y}`).join(' '), xy, max };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Shards per hour over the series (first to last point), or null with fewer than two points. */
export function rate(points: readonly Point[]): number | null {
  if (points.length < 2) return null;
  const a = points[0] as Point;
  const b = points[points.length - 1] as Point;
  const hours = (b.t - a.t) / 3_600_000;
  return hours > 0 ? (b.v - a.v) / hours : null;
}
