import type { z } from "zod";
import type { AnyStateSchema } from "../state/types.js";
import type { ConcurrencyLimit } from "../controls/concurrency-limit.js";
import type { RateLimit } from "../controls/rate-limit.js";
import type { RetryPolicy } from "../controls/retry.js";
import type { OuterBudget, Spent } from "../records/budget.js";
import type { CancelSource } from "../records/cancel.js";
import type { PendingInterrupt } from "../records/interrupt.js";
import type { RunResult } from "../records/run.js";

/** What a node does when its task fails (after retries). */
export type ErrorPolicy = "fail" | "continue" | ((error: unknown, input: unknown, ctx: unknown) => unknown);

/** A node as the runtime sees it. */
export interface NodeSpec {
  readonly name: string;
  /** Position in declaration order: the order of edge-triggered tasks in a step. */
  readonly index: number;
  readonly fn: (input: unknown, ctx: never) => unknown;
  readonly input: z.ZodType | undefined;
  readonly defer: boolean;
  readonly ends: readonly string[];
  readonly timeoutMs: number | undefined;
  readonly retry: RetryPolicy | undefined;
  /** A cap within each run, or one shared with every node and run given the same limit. */
  readonly concurrency: number | ConcurrencyLimit | undefined;
  /** The rate limits each task passes before it runs (and each retry before it calls again). */
  readonly rateLimit: readonly RateLimit[];
  /** The tokens a task of this node is expected to use, for token limits; else the limit's estimate. */
  readonly estimateTokens: ((input: unknown) => number) | undefined;
  readonly onError: ErrorPolicy;
  /** Set when the node is a compiled graph: the graph it runs and how its state maps to this one's. */
  readonly subgraph?: SubgraphSpec;
}

/**
 * A node that runs a compiled graph. By default it passes the keys the two states share (the
 * inner graph's input keys found in this state) and writes back the shared output keys the
 * inner run changed; `input` and `output` map the rest.
 */
export interface SubgraphSpec {
  /** The inner graph as plain data, for drawing and tools. */
  readonly graph: GraphIR;
  /** The task's input (this graph's state, or a Send's payload) → the inner run's input. */
  readonly input: ((value: unknown) => unknown) | undefined;
  /** The inner run's final state (its output keys) → this graph's update. */
  readonly output: ((state: unknown) => unknown) | undefined;
  /** How the runtime runs it: set by the compiled graph that holds the node, with that graph's checkpointer. */
  readonly runner: SubgraphRunner | undefined;
  /** The compiled inner graph the node was built from; only the compiled layer reads it. */
  readonly compiled: object;
}

/** What a subgraph run is given: what cancels it, its thread (when durable) and where its events go. */
export interface SubgraphRunOptions {
  /** The outer task's cancellation (its step's, or its attempt's when it has a timeout), linked to the inner run. */
  readonly outer: CancelSource;
  readonly threadId: string | undefined;
  readonly emit: ((event: { readonly type: string }) => void) | undefined;
  /** The budgets over the outer task, which the inner run's usage also counts against. */
  readonly budget?: OuterBudget;
  /** For a run without a thread: where it starts, from {@link SubgraphRunner.start}; the input is its checked input. */
  readonly start?: SubgraphStart;
  /** The outer run's settings for holding a thread, which the inner run's thread follows. */
  readonly thread?: { readonly leaseTtlMs?: number; readonly storeTimeoutMs?: number; readonly inProcessSleepMs?: number };
}

/** An inner thread as a subgraph task finds it when it runs again. */
export interface SubgraphThread {
  /** The inner state, limited to the inner graph's output keys. */
  readonly values: Record<string, unknown>;
  /** How many tasks its next step has: 0 once the inner run has finished. */
  readonly next: number;
  readonly interrupts: readonly PendingInterrupt[];
  /** What the inner run has spent so far (with what tasks of its next step spent); undefined when it reported nothing. */
  readonly spent: Spent | undefined;
}

/** Where an inner run of an input starts: the input as its graph's input schema checked it, and the state made of it. */
export interface SubgraphStart {
  readonly input: unknown;
  readonly state: Readonly<Record<string, unknown>>;
}

/** How a subgraph node's inner graph runs, bound to the checkpointer of the graph that holds it. */
export interface SubgraphRunner {
  /** True when the inner runs may have a thread (the outer graph has a checkpointer). */
  readonly durable: boolean;
  /** Runs the inner graph (`input` may be `null` or a resuming `Command`, with a thread). */
  run(input: unknown, options: SubgraphRunOptions): Promise<RunResult>;
  /** The inner thread's latest checkpoint; undefined for a thread not started yet. */
  peek(threadId: string): Promise<SubgraphThread | undefined>;
  /** Validates `input` once, and makes the inner state a run of it starts from. */
  start(input: unknown): SubgraphStart;
  /** The checkpointer's clock, in epoch milliseconds. */
  now(): Promise<number>;
  /** Removes an inner thread, with the inner threads of its own subgraph tasks. */
  deleteThread(threadId: string): Promise<void>;
}

/** A conditional edge: `router` chooses the targets after `source` runs. */
export interface BranchSpec {
  readonly source: string;
  readonly router: (state: never, ctx: never) => unknown;
  /** Targets declared for drawing and validation, when given. */
  readonly targets: readonly string[] | undefined;
  /** Router results mapped to node names, when a path map was given. */
  readonly pathMap: Readonly<Record<string, string>> | undefined;
}

/** A join: `target` runs once every source has run since it last ran. */
export interface JoinSpec {
  readonly sources: readonly string[];
  readonly target: string;
}

/** A graph as plain data: what the builder produces and the runtime and drawing consume. */
export interface GraphIR {
  readonly name: string;
  readonly state: AnyStateSchema;
  readonly nodes: ReadonlyMap<string, NodeSpec>;
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  readonly joins: readonly JoinSpec[];
  readonly branches: readonly BranchSpec[];
  /** What a run's input may hold, when it is narrower than the state (`new StateGraph(State, { input })`). */
  readonly input?: AnyStateSchema | undefined;
  /** The keys a run returns, when fewer than the state's (`new StateGraph(State, { output })`). */
  readonly output?: AnyStateSchema | undefined;
}
