/**
 * Profiles one case on one engine and prints where the time goes, by function (self time)
 * and by file. Also writes the raw `.cpuprofile` for a flame-graph viewer.
 *
 *   pnpm run profile loop/200@10000 [weft|langgraph] [runs]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { benchCases } from "./cases.js";
import { formatMs, markdownTable } from "./table.js";
import { checkFinalState, type Engine } from "./workloads/workload.js";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [id, engineArg = "weft", runsArg = "20"] = process.argv.slice(2);
const engine = engineArg as Engine;
const found = benchCases(false).find((entry) => entry.workload.id === id);
const run = found?.workload[engine];
if (found === undefined || run === undefined) {
  const ids = benchCases(false).map((entry) => entry.workload.id);
  throw new Error(`No case "${id}" on ${engine}. Cases: ${ids.join(", ")}`);
}

checkFinalState(found.workload, engine, await run());
for (let i = 0; i < 3; i++) await run();

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
await session.post("Profiler.start");
const start = performance.now();
const runs = Number(runsArg);
for (let i = 0; i < runs; i++) await run();
const elapsed = performance.now() - start;
const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: Profile };
session.disconnect();

mkdirSync(".profiles", { recursive: true });
const file = `.profiles/${id!.replaceAll("/", "_")}-${engine}.cpuprofile`;
writeFileSync(file, JSON.stringify(profile));

const byNode = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
const selfByFunction = new Map<string, number>();
const selfByFile = new Map<string, number>();
let total = 0;
profile.samples.forEach((nodeId, i) => {
  const frame = byNode.get(nodeId)!.callFrame;
  const us = profile.timeDeltas[i] ?? 0;
  total += us;
  const where = frame.url.replace(/^file:\/\//, "").replace(/.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, "");
  const place = where === "" ? "(native / vm)" : where.replace(/.*\/packages\//, "packages/");
  // tsx compiles TypeScript on load, so line numbers of .ts files point into its output.
  const line = where === "" || where.endsWith(".ts") ? "" : `:${frame.lineNumber + 1}`;
  const name = `${frame.functionName || "(anonymous)"}  ${place}${line}`;
  selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + us);
  selfByFile.set(place, (selfByFile.get(place) ?? 0) + us);
});

const top = (map: Map<string, number>, count: number): string[][] =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => [name, `${((us / total) * 100).toFixed(1)}%`]);

console.log(`${id} on ${engine}: ${runs} runs, ${formatMs(elapsed / runs)} per run (profiler on). Profile: ${file}\n`);
console.log(markdownTable(["function (self time)", "share"], top(selfByFunction, 25), ["left", "right"]));
console.log("");
console.log(markdownTable(["file (self time)", "share"], top(selfByFile, 12), ["left", "right"]));
