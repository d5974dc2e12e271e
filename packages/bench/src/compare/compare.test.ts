import * as workspaceCore from "@weft/core";
import { describe, expect, it } from "vitest";
import { compareCase, compareCores, coreAt, medianMarks, pairedChange } from "./compare.js";

describe("compare: two copies of core side by side", () => {
  it("runs both copies and the no-engine floor in turns, one set of marks per timed run", async () => {
    const result = await compareCores(workspaceCore, workspaceCore, { sends: 20, waitMs: 2, runs: 3 });

    for (const side of [result.before, result.after, result.none]) {
      expect(side).toHaveLength(3);
      for (const run of side) {
        expect(run.wallMs).toBeGreaterThanOrEqual(1);
        expect(run.lastStartMs).toBeLessThan(run.wallMs);
        expect(run.completionsMs + run.tailMs).toBeLessThanOrEqual(run.wallMs);
      }
    }
    expect(medianMarks(result.after).wallMs).toBeGreaterThanOrEqual(1);
  });

  it("loads core as it was at a git revision, and its graphs run", async () => {
    const { commit, core } = await coreAt("HEAD");

    expect(commit).toMatch(/^[0-9a-f]{12}$/);
    expect(core.StateGraph).not.toBe(workspaceCore.StateGraph);
    const result = await compareCores(core, workspaceCore, { sends: 5, waitMs: 1, runs: 1 });
    expect(result.before).toHaveLength(1);
  });

  it("pairs runs by position: the median change and how many got faster", () => {
    expect(pairedChange([10, 20, 30], [9, 21, 27])).toEqual({ medianMs: -1, faster: 2, pairs: 3 });
    expect(() => pairedChange([1], [1, 2])).toThrow(/same number of runs/);
  });

  it("reports a case the older core cannot build instead of failing the whole comparison", async () => {
    const kase = {
      id: "new-feature",
      build: (core: typeof workspaceCore) => {
        if (core !== workspaceCore) throw new Error("no such feature");
        return async () => undefined;
      },
    };
    const older = { ...workspaceCore };

    expect(await compareCase(older, workspaceCore, kase, 1)).toEqual({ unsupported: "no such feature" });
    expect(await compareCase(workspaceCore, workspaceCore, kase, 2)).toMatchObject({ before: [expect.any(Number), expect.any(Number)] });
  });
});
