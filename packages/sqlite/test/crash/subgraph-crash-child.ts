// The process the subgraph crash test kills, and the one that resumes after it (see subgraph-crash.test.ts).
// Usage: node … subgraph-crash-child.ts <saver-module> <saver-arg> <thread-id> <log-file> start|resume
import { pathToFileURL } from "node:url";
import type { SaverModule } from "./fan-out-graph.js";
import { subgraphGraph } from "./subgraph-graph.js";

const [saverModule, saverArg, threadId, log, mode] = process.argv.slice(2) as [string, string, string, string, string];
const { createSaver } = (await import(pathToFileURL(saverModule).href)) as SaverModule;
const checkpointer = createSaver(saverArg);
/** Short, so that a killed run's leases (its own and its inner runs') expire soon after the kill. */
const leaseTtlMs = 1000;
const graph = subgraphGraph({ checkpointer, log });
// A resume waits for the killed run's lease to expire, then takes the thread.
const ifBusy = mode === "resume" ? "enqueue" : "reject";
const final = await graph.invoke(mode === "start" ? {} : null, { threadId, leaseTtlMs, ifBusy, timeoutMs: 60_000 });
process.stdout.write(JSON.stringify(final));
await checkpointer.close();
