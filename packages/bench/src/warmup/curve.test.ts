import { describe, expect, it } from "vitest";
import { settledAt, timesAfterCollection, warmupCurve } from "./curve.js";

describe("warmup curve: run times after a forced collection, relative to the steady time", () => {
  it("takes the median per position over the repeats, and the steady time from a position on", () => {
    const rows = [
      [40, 20, 10, 10, 12],
      [30, 24, 10, 11, 10],
      [50, 22, 12, 10, 10],
    ];

    const curve = warmupCurve(rows, 3);

    expect(curve.medians).toEqual([40, 22, 10, 10, 10]);
    expect(curve.steadyMs).toBe(10);
    expect(curve.relative).toEqual([4, 2.2, 1, 1, 1]);
  });

  it("is settled from the first run from which no window of runs is slower than the tolerance allows", () => {
    // Steady runs alternate fast and slow, as a young collection every other run makes them.
    const curve = warmupCurve([[40, 16, 14, 12, 8, 12, 8, 12, 8, 12, 8]], 6);

    expect(settledAt(curve, { tolerance: 1.2, window: 2, settledFrom: 6 })).toBe(4);
    expect(settledAt(curve, { tolerance: 1.5, window: 2, settledFrom: 6 })).toBe(2);
    // Judged run by run, the slow ones of the steady alternation are never within 1.1×.
    expect(settledAt(curve, { tolerance: 1.1, window: 1, settledFrom: 6 })).toBe(11);
    expect(settledAt(warmupCurve([[10, 10, 10, 30]], 1), { tolerance: 1.2, window: 1, settledFrom: 1 })).toBe(5);
  });

  it("refuses rows of different lengths or too short to have a steady part", () => {
    expect(() =>
      warmupCurve(
        [
          [1, 2, 3],
          [1, 2],
        ],
        2,
      ),
    ).toThrow(/equal length/);
    expect(() => warmupCurve([[1, 2]], 3)).toThrow(/at least 3 runs/);
    expect(() => warmupCurve([], 1)).toThrow(/equal length/);
  });

  it("forces a collection before each repeat, then times the given number of runs in a row", async () => {
    const events: string[] = [];
    const run = async (): Promise<void> => {
      events.push("run");
    };

    const rows = await timesAfterCollection(run, 3, 2, () => events.push("collect"));

    expect(events).toEqual(["collect", "run", "run", "run", "collect", "run", "run", "run"]);
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.length === 3 && row.every((ms) => ms >= 0))).toBe(true);
  });

  it("refuses to run without a way to force a collection", async () => {
    await expect(timesAfterCollection(async () => {}, 1, 1, undefined)).rejects.toThrow(/--expose-gc/);
  });
});
