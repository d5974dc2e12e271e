// The process the step crash tests kill, and the ones that resume or recover after it (see step-crash.ts).
// Usage: node … step-crash-child.ts <saver-module> <saver-arg> <thread-id> <log-file> start|resume|recover
import { pathToFileURL } from "node:url";
import type { SaverModule } from "./fan-out-graph.js";
import { stepGraph } from "./step-graph.js";

const [saverModule, saverArg, threadId, log, mode] = process.argv.slice(2) as [string, string, string, string, string];
const { createSaver } = (await import(pathToFileURL(saverModule).href)) as SaverModule;
const checkpointer = createSaver(saverArg);
/** Short, so that a killed run's lease expires soon after the kill. */
const leaseTtlMs = 1000;
const graph = stepGraph({ checkpointer, log });
if (mode === "recover") {
  const recovered = await graph.recover({ run: { leaseTtlMs } });
  const mine = recovered.find((entry) => entry.threadId === threadId);
  process.stdout.write(JSON.stringify(mine?.status === "recovered" ? mine.result.state : mine));
} else {
  // A resume waits for the killed run's lease to expire, then takes the thread.
  const ifBusy = mode === "resume" ? "enqueue" : "reject";
  const final = await graph.invoke(mode === "start" ? {} : null, { threadId, leaseTtlMs, ifBusy, timeoutMs: 60_000 });
  process.stdout.write(JSON.stringify(final));
}
await checkpointer.close();
