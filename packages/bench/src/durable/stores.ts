import { Annotation, END as LG_END, START as LG_START, StateGraph as LGStateGraph } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { END, START, StateGraph } from "@weft/core";
import type { Checkpointer } from "@weft/core/adapter";
import { DEFAULT_POSTGRES_URL, PostgresCheckpointer } from "@weft/postgres";
import pg from "pg";
import { SqliteCheckpointer } from "@weft/sqlite";
import { z } from "zod";
import { range } from "../workloads/workload.js";

/** The chain on one engine and store, ready to run on a thread: returns the final count. */
export interface DurableChain {
  run(threadId: string): Promise<number>;
  close(): Promise<void>;
}

/** Opens the chain of `length` nodes on a store; `file` is where an SQLite store keeps its database. */
export type Store = (options: { readonly length: number; readonly file: string }) => Promise<DurableChain>;

const url = process.env.WEFT_POSTGRES_URL ?? DEFAULT_POSTGRES_URL;

/** Drops a schema the bench made for one process, with everything in it. */
async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
const WeftState = z.object({ count: z.number() });
const step = (s: { count: number }) => ({ count: s.count + 1 });

function weftChain(length: number, checkpointer: Checkpointer, close: () => Promise<void>): DurableChain {
  const graph = new StateGraph(WeftState, { name: "chain" })
    .addSequence(Object.fromEntries(range(length).map((i) => [`n${i}`, step])))
    .addEdge(START, "n0")
    .addEdge(`n${length - 1}`, END)
    .compile({ checkpointer });
  return { run: async (threadId) => (await graph.invoke({ count: 0 }, { threadId, maxSteps: length })).count, close };
}

const LangGraphState = Annotation.Root({ count: Annotation<number> });

function langgraphChain(length: number, checkpointer: SqliteSaver | PostgresSaver, close: () => Promise<void>): DurableChain {
  const graph = new LGStateGraph(LangGraphState)
    .addSequence(range(length).map((i) => [`n${i}`, step] as const))
    .addEdge(LG_START, "n0")
    .addEdge(`n${length - 1}`, LG_END)
    .compile({ checkpointer });
  const run = async (threadId: string) => {
    const state = await graph.invoke({ count: 0 }, { configurable: { thread_id: threadId }, recursionLimit: length + 1 });
    return state.count;
  };
  return { run, close };
}

/** Every engine and store the durable bench runs, by `engine/store`. */
export const stores = {
  "weft/sqlite": async ({ length, file }) => {
    const checkpointer = new SqliteCheckpointer(file);
    return weftChain(length, checkpointer, () => checkpointer.close());
  },
  "weft/postgres": async ({ length }) => {
    const schema = `bench_weft_${process.pid}`;
    const checkpointer = new PostgresCheckpointer(url, { schema });
    return weftChain(length, checkpointer, async () => {
      await checkpointer.close();
      await dropSchema(schema);
    });
  },
  "langgraph/sqlite": async ({ length, file }) => {
    const saver = SqliteSaver.fromConnString(file);
    return langgraphChain(length, saver, async () => saver.db.close());
  },
  "langgraph/postgres": async ({ length }) => {
    const schema = `bench_langgraph_${process.pid}`;
    const saver = PostgresSaver.fromConnString(url, { schema });
    await saver.setup();
    return langgraphChain(length, saver, async () => {
      await saver.end();
      await dropSchema(schema);
    });
  },
} satisfies Record<string, Store>;
