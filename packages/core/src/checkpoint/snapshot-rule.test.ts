import { describe, expect, it } from "vitest";
import { SNAPSHOT_WEIGHT, snapshotDue } from "./thread.js";

const body = (bytes: number, steps: number, snapshotBytes: number) => ({ since: { bytes, steps }, snapshotBytes });

describe("snapshotDue", () => {
  it("takes a thread's first checkpoint as a snapshot", () => {
    expect(snapshotDue(true, body(0, 0, 0), undefined)).toBe(true);
  });

  it("takes one once the checkpoints since the last snapshot outweigh it SNAPSHOT_WEIGHT times", () => {
    expect(SNAPSHOT_WEIGHT).toBe(4);
    expect(snapshotDue(false, body(3999, 400, 1000), undefined)).toBe(false);
    expect(snapshotDue(false, body(4000, 400, 1000), undefined)).toBe(true);
    // Without snapshotEvery, the number of steps alone never makes one due.
    expect(snapshotDue(false, body(10, 1_000_000, 1000), undefined)).toBe(false);
  });

  it("also takes one after snapshotEvery checkpoints when that option is set", () => {
    expect(snapshotDue(false, body(10, 99, 1000), 100)).toBe(false);
    expect(snapshotDue(false, body(10, 100, 1000), 100)).toBe(true);
  });
});
