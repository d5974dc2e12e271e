// The process the crash tests kill and the ones that resume or recover after it (see crash-recovery.ts).
// Usage: node … crash-child.ts <saver-module> <saver-arg> <thread-id> <log-file> start|resume|recover
import { pathToFileURL } from "node:url";
import { fanOutGraph, type SaverModule } from "./fan-out-graph.js";

const [saverModule, saverArg, threadId, log, mode] = process.argv.slice(2) as [string, string, string, string, string];
const { createSaver } = (await import(pathToFileURL(saverModule).href)) as SaverModule;
const checkpointer = createSaver(saverArg);
/** Short, so that the killed run's lease expires soon after the kill. */
const leaseTtlMs = 1000;
// The first run's workers finish one by one over ~2 s, so the parent can kill it mid-step.
const graph = fanOutGraph({ checkpointer, log, workMs: mode === "start" ? (i) => 300 + 80 * i : () => 5 });
if (mode === "recover") {
  const recovered = await graph.recover({ run: { leaseTtlMs } });
  const report = recovered.map((entry) =>
    entry.status === "recovered" ? { ...entry, result: undefined, steps: entry.result.steps, state: entry.result.state } : entry,
  );
  process.stdout.write(JSON.stringify(report));
} else {
  // A resume waits for the killed run's lease to expire, then takes the thread.
  const ifBusy = mode === "resume" ? "enqueue" : "reject";
  const final = await graph.invoke(mode === "start" ? { topic: "crash" } : null, { threadId, leaseTtlMs, ifBusy, timeoutMs: 20_000 });
  process.stdout.write(JSON.stringify(final));
}
await checkpointer.close();
