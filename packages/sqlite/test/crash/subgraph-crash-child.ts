// The process the subgraph crash test kills, and the one that resumes after it (see subgraph-crash.test.ts).
// Usage: node … subgraph-crash-child.ts <saver-module> <saver-arg> <thread-id> <log-file> start|resume|recover
// `recover` waits until the killed run's leases have all expired, calls graph.recover() until it
// finds something, and prints what it found with the thread's final state.
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import type { SaverModule } from "./fan-out-graph.js";
import { subgraphGraph } from "./subgraph-graph.js";

const [saverModule, saverArg, threadId, log, mode] = process.argv.slice(2) as [string, string, string, string, string];
const { createSaver } = (await import(pathToFileURL(saverModule).href)) as SaverModule;
const checkpointer = createSaver(saverArg);
/** Short, so that a killed run's leases (its own and its inner runs') expire soon after the kill. */
const leaseTtlMs = 1000;
const graph = subgraphGraph({ checkpointer, log });
if (mode === "recover") {
  // Every lease the killed run held, its own and its inner runs', has expired by then.
  await sleep(leaseTtlMs + 250);
  let found = await graph.recover();
  for (const deadline = Date.now() + 30_000; found.length === 0 && Date.now() < deadline; found = await graph.recover()) await sleep(50);
  const entries = found.map((entry) => ({
    threadId: entry.threadId,
    status: entry.status,
    error: entry.status === "failed" ? entry.error.message : undefined,
  }));
  process.stdout.write(JSON.stringify({ entries, final: (await graph.getState(threadId))?.values }));
} else {
  // A resume waits for the killed run's lease to expire, then takes the thread.
  const ifBusy = mode === "resume" ? "enqueue" : "reject";
  const final = await graph.invoke(mode === "start" ? {} : null, { threadId, leaseTtlMs, ifBusy, timeoutMs: 60_000 });
  process.stdout.write(JSON.stringify(final));
}
await checkpointer.close();
