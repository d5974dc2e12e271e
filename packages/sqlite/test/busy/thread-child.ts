// One run on a shared thread, in a process of its own (see cross-process.ts).
// Usage: node … thread-child.ts <saver-module> <saver-arg> <thread-id> <msg> <ifBusy> [gate-file]
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { appendList, END, isGraphError, START, StateGraph, type IfBusy } from "@weft/core";
import { z } from "zod";
import type { SaverModule } from "../crash/fan-out-graph.js";

const [saverModule, saverArg, threadId, msg, ifBusy, gate] = process.argv.slice(2) as [string, string, string, string, IfBusy, string?];
const { createSaver } = (await import(pathToFileURL(saverModule).href)) as SaverModule;
const checkpointer = createSaver(saverArg);

const graph = new StateGraph(z.object({ msgs: appendList(z.string()) }))
  .addNode("think", async (state, ctx) => {
    // Waits for the test to create the gate file, unless the run is cancelled meanwhile.
    while (gate !== undefined && !existsSync(gate)) {
      ctx.signal.throwIfAborted();
      await sleep(10);
    }
    return { msgs: `think(${state.msgs.at(-1)})` };
  })
  .addNode("reply", (state) => ({ msgs: `reply(${state.msgs.at(-2)})` }))
  .addEdge(START, "think")
  .addEdge("think", "reply")
  .addEdge("reply", END)
  .compile({ checkpointer, defaults: { leaseTtlMs: 900, timeoutMs: 30_000 } });

try {
  const result = await graph.run({ msgs: msg }, { threadId, ifBusy });
  process.stdout.write(JSON.stringify({ status: result.status, msgs: result.state.msgs }));
} catch (error) {
  if (!isGraphError(error)) throw error;
  process.stdout.write(JSON.stringify({ error: error.code, details: error.details }));
} finally {
  await checkpointer.close();
}
