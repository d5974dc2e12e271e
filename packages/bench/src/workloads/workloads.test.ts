import { describe, expect, it, vi } from "vitest";
import { budgetedSends } from "./budgeted-sends.js";
import { cappedSends } from "./capped-sends.js";
import { chain } from "./chain.js";
import { join } from "./join.js";
import { loop } from "./loop.js";
import { sends } from "./sends.js";
import { pool, waitingSends } from "./waiting-sends.js";
import { checkFinalState, StepClock, type Workload } from "./workload.js";

// Small sizes of every workload: the bench times these graphs, so both engines must compute
// the same, expected final state. No timing here.
const compared: Workload[] = [
  sends(1),
  sends(25),
  chain(1),
  chain(30),
  join(2),
  join(12),
  loop(1, 0),
  loop(7, 0),
  loop(7, 40),
  loop(7, 40, "hold"),
];

describe("the capped fan-out", () => {
  for (const kind of ["run", "node", "limit"] as const) {
    it(`reaches the expected state behind a cap set as ${kind}`, async () => {
      const workload = cappedSends(40, { kind, size: 3 });

      expect(workload.id).toBe(`capped-sends/40/${{ run: "cap", node: "node", limit: "limit" }[kind]}3`);
      expect(workload.project(await workload.weft())).toEqual(workload.expected);
    });
  }
});

describe("every workload reaches the same final state on Weft and LangGraph.js", () => {
  for (const workload of compared) {
    it(`${workload.id}: both engines reach the expected final state`, async () => {
      const weft = workload.project(await workload.weft());
      const langgraph = workload.project(await workload.langgraph!());

      expect(weft).toEqual(workload.expected);
      expect(langgraph).toEqual(weft);
    });
  }

  it("join keeps the branches' writes in index order past ten branches on both engines", async () => {
    const workload = join(12);

    const expected = { seen: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], total: 12 };
    expect(workload.expected).toEqual(expected);
    expect(workload.project(await workload.langgraph!())).toEqual(expected);
  });

  it("the loop keeps the initial list and appends one counter value per step", async () => {
    const workload = loop(3, 4);

    expect(workload.expected).toEqual({ length: 7, head: [-1, -2], tail: [1, 2], counter: 3 });
    expect(workload.project(await workload.weft())).toEqual(workload.expected);
  });
});

describe("waiting Sends (Weft, and the same workers with no engine)", () => {
  it("every worker's item arrives, in Send order, with and without maxConcurrency", async () => {
    for (const workload of [waitingSends(20, 2), waitingSends(20, 2, 4)]) {
      expect(workload.langgraph).toBeUndefined();
      expect(workload.project(await workload.weft())).toEqual(workload.expected);
      expect(workload.project(await workload.none!())).toEqual(workload.expected);
    }
  });

  it("the no-engine pool never has more than its limit in flight and keeps input order", async () => {
    let inFlight = 0;
    let most = 0;
    const results = await pool([5, 1, 4, 2, 3, 0, 6], 3, async (ms) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      return ms * 10;
    });

    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(most).toBe(3);
  });

  it("the ideal wall time is one wait per wave of maxConcurrency tasks", () => {
    expect(waitingSends(1000, 20).idealMs).toBe(20);
    expect(waitingSends(1000, 20, 50).idealMs).toBe(400);
    expect(waitingSends(10, 20, 3).idealMs).toBe(80);
  });
});

describe("the step clock of a loop", () => {
  it("reads one gap per step after the first, on both engines, and forgets earlier runs on reset", async () => {
    const workload = loop(5, 10, "hold");
    const clock = workload.stepClock!;
    for (const run of [workload.weft, workload.langgraph!]) {
      clock.reset();
      expect(clock.medianStepMs()).toBeUndefined();
      await run();
      expect(clock.medianStepMs()).toBeGreaterThan(0);
    }
  });

  it("is the median gap between ticks", () => {
    const clock = new StepClock();
    const now = vi.spyOn(performance, "now");
    for (const at of [0, 1, 3, 10, 11]) {
      now.mockReturnValueOnce(at);
      clock.tick();
    }
    now.mockRestore();

    // Gaps 1, 2, 7, 1: median 1.5, whatever the outlier.
    expect(clock.medianStepMs()).toBe(1.5);
  });
});

describe("checkFinalState", () => {
  it("throws naming the engine and the case when the final state differs", () => {
    const workload = sends(3);

    expect(() => checkFinalState(workload, "langgraph", { items: [0, 2, 1], total: 3 })).toThrow(
      /langgraph computed a wrong final state for sends\/3/,
    );
    expect(() => checkFinalState(workload, "weft", Object.freeze({ items: [0, 1, 2], total: 3, n: 3 }))).not.toThrow();
  });
});

describe("budgeted Sends (Weft)", () => {
  it("reach the same final state with and without budgets, and the budgets leave every worker room", async () => {
    for (const workload of [budgetedSends(30, false), budgetedSends(30, true)]) {
      expect(workload.project(await workload.weft())).toEqual(workload.expected);
    }
  });
});
