import {
  latencyScale,
  message,
  output,
  runWithProgress,
  sleep,
  startExample,
  timingSummary,
  type ExampleOptions,
} from "@weft/example-shared";
import { weatherGraph, type WeatherApi } from "./graph.js";

/** The three tasks: London, a lookup that never answers, Tokyo. */
export const CITIES = ["London", "Paris", "Tokyo"];
/** At latency scale 1: how long each lookup takes (Paris's station is down: it never answers), and the limits. */
export const TIMING = { London: 250, Tokyo: 350, timeoutMs: 500, concurrency: 2 } as const;

const TEMPS: Readonly<Record<string, number>> = { London: 12, Tokyo: 24 };

/** A weather API whose Paris station hangs: only a timeout gets the caller out. */
function flakyApi(scale: number): WeatherApi {
  return async (city, signal) => {
    const latency = city === "London" || city === "Tokyo" ? TIMING[city] : Infinity;
    if (latency === Infinity) await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
    await sleep(latency * scale, signal);
    return `${city}: ${TEMPS[city]}°C`;
  };
}

/**
 * Runs the same three lookups twice: fail-fast (`onError: "fail"`) and best-effort
 * (`onError: "continue"`), each lookup with a timeout and at most two at a time.
 */
export async function runErrorHandling(options: ExampleOptions = {}) {
  const { print, progress } = output(options);
  const scale = options.latencyScale ?? latencyScale();
  const build = (onError: "fail" | "continue") =>
    weatherGraph({ api: flakyApi(scale), onError, timeoutMs: TIMING.timeoutMs * scale, concurrency: TIMING.concurrency });
  const input = { cities: CITIES };
  const label = (task: { node: string; sendIndex: number | undefined }) =>
    task.node === "task" ? `Task ${task.sendIndex} (${CITIES[task.sendIndex ?? 0]})` : undefined;

  print(`Weft error handling: three weather lookups, at most ${TIMING.concurrency} at a time, each with a`);
  print(`${TIMING.timeoutMs * scale} ms timeout. Paris's station never answers.`);
  print();
  print(`Fail-fast (onError: "fail"): all or nothing.`);
  const failFastGraph = build("fail");
  const failFast = await runWithProgress(failFastGraph, input, { progress, label });
  if (failFast.status === "done") throw new Error("The fail-fast run should have failed.");
  const finished = (failFast.error.details.finished as { sendIndex: number }[]).map((task) => CITIES[task.sendIndex]);
  const cancelled = failFast.progress
    .views()
    .filter((task) => task.status === "cancelled")
    .map((task) => CITIES[task.sendIndex ?? 0]);
  print(`  ❌ ${failFast.error.code}: ${failFast.error.message}`);
  print(
    `  Cancelled: ${cancelled.join(", ") || "none"}. Finished first, kept in error.details.finished: ${finished.join(", ") || "none"}.`,
  );
  print();

  print(`Best-effort (onError: "continue"): keep what succeeds.`);
  const bestEffortGraph = build("continue");
  const bestEffort = await runWithProgress(bestEffortGraph, input, { progress, label });
  if (bestEffort.status === "failed") throw bestEffort.error;
  for (const failure of bestEffort.failures) {
    print(`  ⚠️ Task ${failure.sendIndex} failed: ${failure.timedOut ? "API timeout" : message(failure.error)}`);
  }
  print(`  ${bestEffort.failures.length}/${CITIES.length} tasks failed`);
  print(bestEffort.state.summary);
  print(`  ${bestEffort.state.results.join(", ")}`);
  print();
  print(timingSummary(bestEffort));
  return { failFast, bestEffort, failFastGraph, bestEffortGraph, finished, cancelled };
}

startExample(import.meta.url, {}, async () => {
  const run = await runErrorHandling();
  return [
    { name: "error-handling", graph: run.bestEffortGraph },
    {
      name: "error-handling-fail-fast",
      events: run.failFast.events,
      labels: run.failFast.progress.views(),
      title: "fail-fast: Paris times out, Tokyo is cancelled",
    },
    {
      name: "error-handling-best-effort",
      events: run.bestEffort.events,
      labels: run.bestEffort.progress.views(),
      title: "best-effort: Paris times out, the rest goes on",
    },
  ];
});
