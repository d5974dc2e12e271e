import { median } from "../stats.js";

/** How one engine's run time comes back after a forced collection. */
export interface WarmupCurve {
  /** Per position after the collection (1st run, 2nd, …): the median over the repeats, in ms. */
  readonly medians: readonly number[];
  /** The median of the positions from `settledFrom` on: the steady time. */
  readonly steadyMs: number;
  /** `medians` over `steadyMs`. */
  readonly relative: readonly number[];
}

/**
 * Times `runs` runs in a row after a forced full collection (`collect`: the `gc()` that
 * `--expose-gc` provides), `repeats` times: one row of wall times (ms) per repeat.
 */
export async function timesAfterCollection(
  run: () => Promise<unknown>,
  runs: number,
  repeats: number,
  collect: (() => void) | undefined,
): Promise<number[][]> {
  if (collect === undefined) throw new Error("warmup: run node with --expose-gc, so that a full collection can be forced.");
  const rows: number[][] = [];
  for (let r = 0; r < repeats; r++) {
    collect();
    const row: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await run();
      row.push(performance.now() - start);
    }
    rows.push(row);
  }
  return rows;
}

/** Summarizes rows of {@link timesAfterCollection}; `settledFrom` is a 1-based run position. */
export function warmupCurve(rows: readonly (readonly number[])[], settledFrom: number): WarmupCurve {
  const runs = rows[0]?.length ?? 0;
  if (rows.length === 0 || runs < settledFrom || rows.some((row) => row.length !== runs)) {
    throw new Error(`warmupCurve: needs rows of equal length, at least ${settledFrom} runs each.`);
  }
  const medians = Array.from({ length: runs }, (_, i) => median(rows.map((row) => row[i]!)));
  const steadyMs = median(medians.slice(settledFrom - 1));
  return { medians, steadyMs, relative: medians.map((ms) => ms / steadyMs) };
}

/**
 * The 1-based run position after a forced collection from which the run time is steady: every
 * `window` runs in a row from there on take at most `tolerance` × what as many steady runs take
 * (the mean over the runs from `settledFrom`). A window, not single runs: a young-generation
 * collection lands every few runs, at the same positions in every repeat, so single positions
 * alternate between fast and slow even once steady. `medians.length + 1` when the last window is
 * still above.
 */
export function settledAt(
  curve: WarmupCurve,
  options: { readonly tolerance: number; readonly window: number; readonly settledFrom: number },
): number {
  const { tolerance, window, settledFrom } = options;
  const { medians } = curve;
  const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  const steady = mean(medians.slice(settledFrom - 1));
  let position = medians.length + 1;
  for (let i = medians.length - window; i >= 0 && mean(medians.slice(i, i + window)) <= tolerance * steady; i--) position = i + 1;
  return position;
}
