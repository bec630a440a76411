// Measuring sides of a comparison in rounds: each side runs `rounds` times, the order reversed
// every round (A B C, C B A, …), and keeps its best round: noise on a shared machine only ever
// slows a run down, and alternating gives each side its share of the quiet moments.
export interface Side<R> {
  name: string;
  run: () => Promise<R>;
}

export interface Measured<R> {
  /** The best successful round; undefined if every round failed. */
  best: R | undefined;
  rounds: R[];
  /** Why rounds failed (a failing peer is reported, and the rest of the bench still runs). */
  errors: string[];
}

export type Log = (line: string) => void;

/** Runs every side `rounds` times, reversing the order each round, and keeps each side's best. */
export async function compare<R>(
  sides: Side<R>[],
  rounds: number,
  score: (r: R) => number,
  describe: (r: R) => string,
  log: Log,
): Promise<Map<string, Measured<R>>> {
  const measured = new Map<string, Measured<R>>(sides.map((s) => [s.name, { best: undefined, rounds: [], errors: [] }]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const m = measured.get(side.name);
      if (!m) continue;
      const label = `  ${side.name} (round ${round + 1}/${rounds})`;
      try {
        const result = await side.run();
        m.rounds.push(result);
        if (m.best === undefined || score(result) > score(m.best)) m.best = result;
        log(`${label}: ${describe(result)}`);
      } catch (err) {
        m.errors.push((err as Error).message);
        log(`${label}: FAILED: ${(err as Error).message}`);
      }
    }
  }
  return measured;
}
