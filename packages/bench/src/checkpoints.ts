/**
 * Checkpoint storage: a loop that appends one item per step to a list that starts with 10000
 * items, run with a checkpointer for 50, 100 and 200 steps. Prints the bytes each saver holds
 * afterwards (and Weft's bytes per step) and the run's time, for Weft's memory and SQLite
 * checkpointers and LangGraph.js's MemorySaver, side by side in one process; then Weft's
 * checkpoint bytes per step after the finished 100-step thread, and the task-result rows left.
 *
 *   pnpm --filter @weft/bench run bench:checkpoints
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotation, END as LG_END, MemorySaver, START as LG_START, StateGraph as LGStateGraph } from "@langchain/langgraph";
import { appendList, END, MemoryCheckpointer, START, StateGraph } from "@weft/core";
import type { Checkpointer } from "@weft/core/adapter";
import { SqliteCheckpointer } from "@weft/sqlite";
import { z } from "zod";
import { markdownTable } from "./table.js";
import { FLAT_TOLERANCE, verdict } from "./targets.js";

const INITIAL = 10_000;
const STEPS = [50, 100, 200];
const initial = Array.from({ length: INITIAL }, (_, i) => -1 - i);

const WeftState = z.object({ items: appendList(z.number()), counter: z.number() });

function weftLoop(steps: number, checkpointer: Checkpointer) {
  return new StateGraph(WeftState, { name: "loop" })
    .addNode("step", (s) => ({ items: [s.counter], counter: s.counter + 1 }))
    .addEdge(START, "step")
    .addConditionalEdges("step", (s) => (s.counter < steps ? "step" : END), ["step", END])
    .compile({ checkpointer });
}

const LangGraphState = Annotation.Root({
  items: Annotation<number[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  counter: Annotation<number>,
});

function langgraphLoop(steps: number, checkpointer: MemorySaver) {
  return new LGStateGraph(LangGraphState)
    .addNode("step", (s) => ({ items: [s.counter], counter: s.counter + 1 }))
    .addEdge(LG_START, "step")
    .addConditionalEdges("step", (s) => (s.counter < steps ? "step" : LG_END), ["step", LG_END])
    .compile({ checkpointer });
}

/** Bytes of every checkpoint and task result a Weft checkpointer holds for one thread, and how many task results. */
async function weftStorage(saver: Checkpointer, threadId: string): Promise<{ bytes: number; taskResults: number }> {
  let bytes = 0;
  let taskResults = 0;
  for (const row of await saver.list(threadId)) {
    bytes += Buffer.byteLength(row.data);
    for (const result of await saver.getTaskResults(threadId, row.checkpointId)) {
      bytes += Buffer.byteLength(result.data);
      taskResults++;
    }
  }
  return { bytes, taskResults };
}

/** Bytes of every checkpoint, metadata blob and pending write a MemorySaver holds. */
function memorySaverBytes(saver: MemorySaver): number {
  let bytes = 0;
  for (const namespaces of Object.values(saver.storage)) {
    for (const checkpoints of Object.values(namespaces)) {
      for (const [checkpoint, metadata] of Object.values(checkpoints)) bytes += checkpoint.byteLength + metadata.byteLength;
    }
  }
  for (const writes of Object.values(saver.writes)) {
    for (const [, , value] of Object.values(writes)) bytes += value.byteLength;
  }
  return bytes;
}

const check = (engine: string, state: { items: number[]; counter: number }, steps: number): void => {
  if (state.items.length !== INITIAL + steps || state.counter !== steps || state.items.at(-1) !== steps - 1) {
    throw new Error(`${engine}: wrong final state after ${steps} steps (${state.items.length} items, counter ${state.counter})`);
  }
};

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KiB`;
const ms = (value: number): string => `${value.toFixed(value < 100 ? 1 : 0)} ms`;

const rows: string[][] = [];
/** The thread length the bytes-per-step line reports. */
const PER_STEP_AT = 100;
let perStep: string[] = [];
const dir = mkdtempSync(join(tmpdir(), "weft-bench-checkpoints-"));
try {
  for (const steps of STEPS) {
    const memory = new MemoryCheckpointer();
    let t = performance.now();
    check("weft/memory", await weftLoop(steps, memory).invoke({ items: initial, counter: 0 }, { threadId: "t", maxSteps: steps }), steps);
    const memoryMs = performance.now() - t;
    const { bytes: memoryBytes, taskResults: memoryResults } = await weftStorage(memory, "t");

    const file = join(dir, `loop-${steps}.db`);
    const sqlite = new SqliteCheckpointer(file);
    t = performance.now();
    check("weft/sqlite", await weftLoop(steps, sqlite).invoke({ items: initial, counter: 0 }, { threadId: "t", maxSteps: steps }), steps);
    const sqliteMs = performance.now() - t;
    const { bytes: sqliteBytes, taskResults: sqliteResults } = await weftStorage(sqlite, "t");
    if (steps === PER_STEP_AT) {
      perStep = [
        `Checkpoint bytes per step after a finished ${steps}-step thread: ${Math.round(memoryBytes / steps)} B (memory), ` +
          `${Math.round(sqliteBytes / steps)} B (SQLite rows); task-result rows left: ${memoryResults} (memory), ${sqliteResults} (SQLite).`,
      ];
    }
    await sqlite.close();
    const sqliteFile = statSync(file).size;

    const saver = new MemorySaver();
    t = performance.now();
    const lg = await langgraphLoop(steps, saver).invoke(
      { items: initial, counter: 0 },
      { configurable: { thread_id: "t" }, recursionLimit: steps + 1 },
    );
    const langgraphMs = performance.now() - t;
    check("langgraph/memory", lg as { items: number[]; counter: number }, steps);
    const langgraphBytes = memorySaverBytes(saver);

    rows.push([
      String(steps),
      kb(memoryBytes),
      `${Math.round(memoryBytes / steps)} B`,
      ms(memoryMs),
      `${kb(sqliteBytes)} (file ${kb(sqliteFile)})`,
      ms(sqliteMs),
      kb(langgraphBytes),
      ms(langgraphMs),
      `${(langgraphBytes / memoryBytes).toFixed(1)}×`,
    ]);
    process.stderr.write(`  checkpoints/${steps}: done\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`## Checkpoint storage: a loop appending one item per step to a list of ${INITIAL} items\n`);
console.log(
  markdownTable(
    [
      "steps",
      "Weft memory: bytes",
      "per step",
      "time",
      "Weft SQLite: bytes",
      "time",
      "LangGraph.js MemorySaver: bytes",
      "time",
      "LangGraph.js / Weft bytes",
    ],
    rows,
  ),
);
console.log(
  "\nBytes are what each saver holds for the thread after the run: Weft's checkpoint records and task results (and the SQLite file size), MemorySaver's serialized checkpoints, metadata and pending writes. One run per size; times include the savers' writes.",
);
console.log(`\n${perStep.join("\n")}`);

/**
 * Bytes per step of a long thread appending one item per step, on an empty list and on a
 * 10000-item list: the rows of steps after WARM_STEPS (the first snapshot, which holds the
 * input, is a one-time cost) of a LONG_STEPS-step thread, on Weft's memory checkpointer.
 */
const LONG_STEPS = 1500;
const WARM_STEPS = 500;
async function bytesPerStep(size: number): Promise<number> {
  const memory = new MemoryCheckpointer();
  const items = Array.from({ length: size }, (_, i) => -1 - i);
  await weftLoop(LONG_STEPS, memory).invoke({ items, counter: 0 }, { threadId: "long", maxSteps: LONG_STEPS });
  const later = (await memory.list("long")).filter((row) => row.step > WARM_STEPS);
  return later.reduce((sum, row) => sum + Buffer.byteLength(row.data), 0) / later.length;
}
const empty = await bytesPerStep(0);
const large = await bytesPerStep(INITIAL);
const ratio = large / empty;
console.log(
  `\n${markdownTable(
    ["appending one item per step", `bytes per step (steps ${WARM_STEPS + 1}–${LONG_STEPS})`, "target", "result"],
    [
      ["to an empty list", `${Math.round(empty)} B`, "", ""],
      [`to a list of ${INITIAL} items`, `${Math.round(large)} B`, "", ""],
      [`${INITIAL} items vs 0`, `${ratio.toFixed(2)}×`, `≤ ${FLAT_TOLERANCE}×`, verdict(ratio <= FLAT_TOLERANCE)],
    ],
  )}`,
);
