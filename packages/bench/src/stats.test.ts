import { describe, expect, it } from "vitest";
import { median, quantile, summarize } from "./stats.js";

describe("stats", () => {
  it("median of an odd and an even count, whatever the order", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("quantiles interpolate between neighbours", () => {
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0)).toBe(1);
    expect(quantile([1, 2, 3, 4, 5], 1)).toBe(5);
  });

  it("summarize reports half the interquartile range relative to the median", () => {
    expect(summarize([8, 9, 10, 11, 12])).toEqual({ samples: 5, median: 10, min: 8, spread: 0.1 });
    expect(summarize([7])).toEqual({ samples: 1, median: 7, min: 7, spread: 0 });
  });
});
