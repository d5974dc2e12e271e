import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { benchCases } from "./cases.js";
import { report } from "./report.js";
import { FULL, measureCase, QUICK, type CaseResult } from "./runner.js";
import { formatMs } from "./table.js";
import type { MillionProbe, SteadyProbe } from "./targets.js";

const quick = process.env.BENCH_QUICK === "1";
/** `BENCH_ONLY=steps` measures only the cases whose id starts with `steps` (and skips the memory probe). */
const only = process.env.BENCH_ONLY;
const require = createRequire(import.meta.url);
const versionOf = (name: string): string =>
  (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;

// Source (TypeScript through tsx, the default) or the built dist (`pnpm run bench:dist`).
const coreBuild = import.meta.resolve("@weft/core").includes("/src/") ? "source via tsx" : "built dist";
const cpus = os.cpus();
console.log("# Weft vs LangGraph.js");
console.log("");
console.log(
  `${quick ? "QUICK (smoke) mode" : "Full mode"}; Node ${process.version}; ${cpus.length} × ${cpus[0]?.model ?? "cpu"}; ` +
    `@weft/core ${versionOf("@weft/core")} (${coreBuild}), @langchain/langgraph ${versionOf("@langchain/langgraph")}; ` +
    `gc between runs: ${"gc" in globalThis ? "yes" : "no (run with --expose-gc)"}; ` +
    `load average at start: ${os.loadavg()[0]!.toFixed(1)}`,
);
console.log("");

const results = new Map<string, CaseResult>();
for (const { workload, engines } of benchCases(quick).filter((c) => only === undefined || c.workload.id.startsWith(only))) {
  const result = await measureCase(workload, quick ? QUICK : FULL, engines);
  results.set(workload.id, result);
  const line = engines.map((engine) => `${engine} ${formatMs(result[engine]?.median)}`).join(", ");
  process.stderr.write(`  ${workload.id}: ${line}\n`);
}
const probes = only !== undefined ? {} : { steady: steadyProbe(), million: quick ? undefined : millionProbe() };
console.log(report(results, probes));

/** Runs the million-Send probe in a process of its own, so that only its memory is counted. */
function millionProbe(): MillionProbe {
  process.stderr.write("  memory/million: one run of 1000000 Sends behind a cap of 1000…\n");
  return probe<MillionProbe>("./memory/million.ts", []);
}

/** Runs the steadiness probe in a process of its own, with no other case's heap. */
function steadyProbe(): SteadyProbe {
  process.stderr.write("  warmup/steady: 10000 Sends, run after run after a forced collection…\n");
  return probe<SteadyProbe>("./warmup/steady.ts", ["--expose-gc"], quick ? ["3"] : []);
}

/** Runs a probe script (relative to this file) in a child process and reads the JSON its last line prints. */
function probe<T>(path: string, flags: readonly string[], args: readonly string[] = []): T {
  const script = fileURLToPath(new URL(path, import.meta.url));
  const child = spawnSync(process.execPath, [...flags, "--conditions=@weft/source", "--import", "tsx", script, ...args], {
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(`${path} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as T;
}
