/**
 * One engine on one store, in a process of its own: runs the chain of `length` nodes with a
 * checkpointer `runs` times (a new thread each time, after one untimed run) and prints the
 * per-step times of the timed runs as JSON. Run by `durable/main.ts`.
 *
 *   node --conditions=@weft/source --import tsx src/durable/child.ts <weft|langgraph> <sqlite|postgres> <length> <runs>
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stores, type Store } from "./stores.js";

const [engine, store, lengthArg = "100", runsArg = "5"] = process.argv.slice(2);
const length = Number(lengthArg);
const runs = Number(runsArg);
const dir = mkdtempSync(join(tmpdir(), "weft-bench-durable-"));
try {
  const open = stores[`${engine}/${store}` as keyof typeof stores] as Store | undefined;
  if (open === undefined) throw new Error(`durable: no store "${engine}/${store}"`);
  const chain = await open({ length, file: join(dir, "chain.db") });
  const perStep: number[] = [];
  try {
    for (let i = 0; i <= runs; i++) {
      const t0 = performance.now();
      const count = await chain.run(`thread-${process.pid}-${i}`);
      const ms = performance.now() - t0;
      if (count !== length) throw new Error(`durable ${engine}/${store}: count ${count}, expected ${length}`);
      if (i > 0) perStep.push(ms / length);
    }
  } finally {
    await chain.close();
  }
  console.log(JSON.stringify({ engine, store, length, perStepMs: perStep }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
