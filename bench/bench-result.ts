/** One line of the benchmark table. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target: string;
  /** The floor measured in the same run, in the same unit (see the suite for what it is). */
  floor?: number;
  /** value / floor: above 1 is slower for times, below 1 is slower for rates. */
  ratio?: number;
}

/** A line with its floor and their ratio. */
export function withFloor(line: Omit<BenchResult, 'floor' | 'ratio'>, floor: number): BenchResult {
  return { ...line, floor: roundTo(floor, 3), ratio: floor > 0 ? roundTo(line.value / floor, 2) : Number.NaN };
}

export function roundTo(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

/**
 * Runs ours, then the floor, `rounds` times in turn: on a shared machine load comes and goes, so each
 * of our runs sits beside a floor taken moments apart, never a floor from another time.
 */
export async function alternate<Ours, Floor>(
  rounds: number,
  ours: (round: number) => Promise<Ours>,
  floor: (round: number) => Promise<Floor>,
): Promise<Array<{ ours: Ours; floor: Floor }>> {
  const runs: Array<{ ours: Ours; floor: Floor }> = [];
  for (let round = 1; round <= rounds; round++) {
    const o = await ours(round);
    const f = await floor(round);
    runs.push({ ours: o, floor: f });
  }
  return runs;
}

/**
 * Cost-growth lines: `what` at each size, and each step's ratio to the previous size; a point's `note` (such as
 * the load average it was measured at) follows its size.
 */
export function growthLines(
  what: string,
  unit: string,
  points: Array<{ size: number; value: number; note?: string }>,
): BenchResult[] {
  return points.map((point, i) => {
    const previous = points[i - 1];
    return {
      name: `${what}, ${point.size.toLocaleString('en-US')}${point.note ? ` (${point.note})` : ''}`,
      value: point.value,
      unit,
      target:
        previous === undefined
          ? '-'
          : `step ×${roundTo(point.value / previous.value, 1)} for ×${roundTo(point.size / previous.size, 0)} (<= 11)`,
    };
  });
}

export const BENCH_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
