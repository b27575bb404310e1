/** Repeated measurements: every bench figure is the median of RUNS runs, reported with its spread. */

/** Runs per figure. */
export const RUNS = 3;

export interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Median, min and max of a list of measurements. */
export function stat(xs: number[]): Stat {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], runs: s.length };
}

/** Run `measure` RUNS times (one after another) and summarise each named figure it returns. */
export async function repeat<K extends string>(
  measure: (run: number) => Promise<Record<K, number>> | Record<K, number>,
  runs = RUNS,
): Promise<Record<K, Stat>> {
  const all: Record<K, number>[] = [];
  for (let i = 0; i < runs; i++) all.push(await measure(i));
  const keys = Object.keys(all[0]) as K[];
  return Object.fromEntries(keys.map((k) => [k, stat(all.map((r) => r[k]))])) as Record<K, Stat>;
}
