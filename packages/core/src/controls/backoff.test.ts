import { describe, expect, it } from "vitest";
import { GraphError } from "../errors.js";
import { backoffDelay, isRetryable } from "./retry.js";

describe("backoffDelay", () => {
  it("grows by the factor from the initial delay, up to maxMs, without jitter", () => {
    const backoff = { initialMs: 100, factor: 3, maxMs: 1000, jitter: false };
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(backoff, attempt))).toEqual([100, 300, 900, 1000]);
  });

  it("spreads a delay over its upper half with jitter", () => {
    const backoff = { initialMs: 200, factor: 2 };
    expect(backoffDelay(backoff, 2, () => 0)).toBe(200);
    expect(backoffDelay(backoff, 2, () => 1)).toBe(400);
    expect(backoffDelay(backoff, 2, () => 0.5)).toBe(300);
  });

  it("defaults to 100 ms doubling, capped at 10 s", () => {
    expect(backoffDelay(undefined, 1, () => 1)).toBe(100);
    expect(backoffDelay(undefined, 30, () => 1)).toBe(10_000);
  });
});

describe("isRetryable", () => {
  it("does not retry what another attempt cannot fix: wrong data, wrong graph, cancellation", () => {
    for (const code of ["INVALID_UPDATE", "UNKNOWN_NODE", "CONCURRENT_UPDATE", "ABORTED", "RUN_TIMEOUT"] as const) {
      expect(isRetryable(new GraphError(code, "x"))).toBe(false);
    }
    expect(isRetryable(new DOMException("stop", "AbortError"))).toBe(false);
  });

  it("retries timeouts and errors thrown by nodes", () => {
    expect(isRetryable(new GraphError("TIMEOUT", "slow"))).toBe(true);
    expect(isRetryable(new Error("flaky"))).toBe(true);
    expect(isRetryable("a string")).toBe(true);
  });
});
