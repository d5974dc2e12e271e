// A process of the durable-wait tests (see waits-recovery.ts).
// Usage: node … waits-child.ts <saver-module> <saver-arg> <thread-id> <log-file> start <scenario> | recover
// "start" prints its run's result and then stays alive until it is killed, as a server would.
import { pathToFileURL } from "node:url";
import type { SaverModule } from "../crash/fan-out-graph.js";
import { type Scenario, waitsGraph } from "./waits-graph.js";

const [saverModule, saverArg, threadId, log, mode, arg] = process.argv.slice(2) as [string, string, string, string, string, string];
const { createSaver } = (await import(pathToFileURL(saverModule).href)) as SaverModule;
const checkpointer = createSaver(saverArg);
const graph = waitsGraph({ checkpointer, log });
/** Short, so that a killed run's lease expires soon after the kill. */
const leaseTtlMs = 500;

if (mode === "start") {
  const scenario = arg as Scenario;
  const inProcessSleepMs = scenario === "nap" ? 0 : 60_000;
  const result = await graph.run({ scenario, log: [] }, { threadId, leaseTtlMs, inProcessSleepMs });
  process.stdout.write(`${JSON.stringify({ status: result.status, interrupts: result.interrupts })}\n`);
  setInterval(() => {}, 60_000);
} else {
  const recovered = await graph.recover({ run: { leaseTtlMs } });
  const report = recovered.map((entry) =>
    entry.status === "recovered" ? { threadId: entry.threadId, status: entry.status, result: entry.result.status } : entry,
  );
  process.stdout.write(JSON.stringify(report));
  await checkpointer.close();
}
