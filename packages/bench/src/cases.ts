import type { Engine, Workload } from "./workloads/workload.js";
import { cappedSends } from "./workloads/capped-sends.js";
import { chain } from "./workloads/chain.js";
import { join } from "./workloads/join.js";
import { loop } from "./workloads/loop.js";
import { sends } from "./workloads/sends.js";
import { stepCost } from "./workloads/step-cost.js";
import { subgraphSends } from "./workloads/subgraph-sends.js";
import { waitingSends } from "./workloads/waiting-sends.js";

/** A workload and the engines to run it on. */
export interface Case {
  readonly workload: Workload;
  readonly engines: readonly Engine[];
}

const both: readonly Engine[] = ["weft", "langgraph"];

/**
 * Every case of a `pnpm bench` run. Quick mode keeps the sizes (the targets are about them)
 * but skips LangGraph at 10000 Sends, whose single run takes over a minute.
 */
export function benchCases(quick: boolean): Case[] {
  return [
    { workload: sends(100), engines: both },
    // The hand-written floor beside it: the target is 1000 Sends within 2× of it.
    { workload: sends(1000), engines: [...both, "none"] },
    { workload: sends(10_000), engines: quick ? ["weft"] : both },
    { workload: chain(1000), engines: both },
    { workload: join(100), engines: both },
    { workload: loop(200, 0), engines: both },
    { workload: loop(200, 10_000), engines: both },
    { workload: loop(200, 0, "hold"), engines: both },
    { workload: loop(200, 10_000, "hold"), engines: both },
    { workload: waitingSends(1000, 20), engines: ["weft", "none"] },
    { workload: waitingSends(1000, 20, 50), engines: ["weft", "none"] },
    { workload: cappedSends(100_000), engines: ["weft"] },
    { workload: cappedSends(100_000, { kind: "run", size: 100 }), engines: ["weft"] },
    { workload: cappedSends(100_000, { kind: "node", size: 100 }), engines: ["weft"] },
    { workload: cappedSends(100_000, { kind: "limit", size: 100 }), engines: ["weft"] },
    { workload: stepCost(1000, "none"), engines: ["weft", "none"] },
    { workload: stepCost(1000, "memory"), engines: ["weft", "none"] },
    { workload: stepCost(1000, "sqlite"), engines: ["weft", "none"] },
    // A subgraph under each Send against the same three nodes inlined ("none" here).
    { workload: subgraphSends(1000), engines: ["weft", "none"] },
  ];
}
