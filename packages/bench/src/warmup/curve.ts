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
