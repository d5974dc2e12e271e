import { describe, expect, it } from "vitest";
import { stepCost, type StepStore } from "./step-cost.js";

// The bench times these graphs: with and without steps they must compute the expected total,
// run after run (each run on a new thread). No timing here.
describe("the ctx.step cost cases", () => {
  for (const store of ["none", "memory", "sqlite"] as const satisfies readonly StepStore[]) {
    it(`steps@${store}: with and without ctx.step, every run reaches the expected total`, async () => {
      const workload = stepCost(25, store);
      expect(workload.stepsPerRun).toBe(25);
      for (let run = 0; run < 3; run++) {
        expect(workload.project(await workload.weft())).toEqual({ total: 300 });
        expect(workload.project(await workload.none!())).toEqual({ total: 300 });
      }
    });
  }
});
