import { describe, expect, it } from "vitest";
import { benchCases } from "../cases.js";
import { report } from "../report.js";
import { measureCase } from "../runner.js";
import { summarize } from "../stats.js";
import { subgraphSends } from "./subgraph-sends.js";

// The bench times these graphs: as a subgraph and inlined they must compute the same, expected
// final state, run after run. No timing here.
describe("the subgraph cost case", () => {
  it("as a subgraph and inlined, every run reaches the same expected final state", async () => {
    for (const n of [1, 25]) {
      const workload = subgraphSends(n);
      expect(workload.subgraphRuns).toBe(n);
      expect(workload.expected).toEqual({ items: Array.from({ length: n }, (_, i) => (i + 1) * 2), total: n });
      for (let run = 0; run < 2; run++) {
        expect(workload.project(await workload.weft())).toEqual(workload.expected);
        expect(workload.project(await workload.none!())).toEqual(workload.expected);
      }
    }
  });

  it("is measured on both graphs by the bench's runner, which checks their final states first", async () => {
    const plan = { rewarm: 1, block: 2, minSamples: 2, maxSamples: 2, budgetMs: 60_000 };
    const result = await measureCase(subgraphSends(25), plan, ["weft", "none"]);
    expect(result.weft?.samples).toBe(2);
    expect(result.none?.samples).toBe(2);
  });

  it("is one of pnpm bench's cases, selected by BENCH_ONLY=subgraphs, at 1000 Sends", () => {
    const selected = benchCases(false).filter((c) => c.workload.id.startsWith("subgraphs"));
    expect(selected.map((c) => [c.workload.id, c.engines])).toEqual([["subgraphs/1000", ["weft", "none"]]]);
  });

  it("is reported in a table of its own, the difference over the Sends as the cost per subgraph run", () => {
    const workload = subgraphSends(1000);
    // Medians of 30 ms as a subgraph and 10 ms inlined: 20 µs per subgraph run; the fastest runs, half of each.
    const engine = (ms: number) => summarize([ms / 2, ms, ms]);
    const text = report(new Map([[workload.id, { workload, weft: engine(30), none: engine(10) }]]));
    const row = text.split("\n").find((line) => line.startsWith("| 1000 Sends to a 3-node subgraph"));
    expect(row?.split("|").map((cell) => cell.trim())).toEqual([
      "",
      "1000 Sends to a 3-node subgraph",
      "30.0 ms",
      "10.0 ms",
      "20.0 µs",
      "10.0 µs",
      "3 ±13%",
      "3 ±13%",
      "",
    ]);
    // It is not a row of the comparison with LangGraph.js.
    expect(text.split("\n").filter((line) => line.includes("1000 Sends to a 3-node subgraph"))).toHaveLength(1);
  });
});
