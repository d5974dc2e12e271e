/** The `q` quantile (0…1) of `values`, linearly interpolated. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Summary of a case's timed samples, in milliseconds. */
export interface Summary {
  readonly samples: number;
  readonly median: number;
  readonly min: number;
  /** Half the interquartile range relative to the median: how far a typical sample strays. */
  readonly spread: number;
}

export function summarize(values: readonly number[]): Summary {
  const m = median(values);
  return {
    samples: values.length,
    median: m,
    min: Math.min(...values),
    spread: (quantile(values, 0.75) - quantile(values, 0.25)) / 2 / m,
  };
}
