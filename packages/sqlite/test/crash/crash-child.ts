// The process the crash tests kill and the one that resumes after it (see crash-recovery.ts).
// Usage: node … crash-child.ts <saver-module> <saver-arg> <thread-id> <log-file> start|resume
import { pathToFileURL } from "node:url";
import { fanOutGraph, type SaverModule } from "./fan-out-graph.js";

const [saverModule, saverArg, threadId, log, mode] = process.argv.slice(2) as [string, string, string, string, string];
const { createSaver } = (await import(pathToFileURL(saverModule).href)) as SaverModule;
const checkpointer = createSaver(saverArg);
// The first run's workers finish one by one over ~2 s, so the parent can kill it mid-step.
const graph = fanOutGraph({ checkpointer, log, workMs: mode === "start" ? (i) => 300 + 80 * i : () => 0 });
const final = await graph.invoke(mode === "start" ? { topic: "crash" } : null, { threadId });
process.stdout.write(JSON.stringify(final));
await checkpointer.close();
