import type { Draft } from "immer";
import type { z } from "zod";
import type { AnyStateSchema, StateOf, UpdateOf } from "../state/types.js";
import type { Command, ParentCommand } from "./command.js";
import type { END } from "./constants.js";
import type { Send } from "./send.js";
import type { ConcurrencyLimit } from "../controls/concurrency-limit.js";
import type { RateLimit } from "../controls/rate-limit.js";
import type { RetryPolicy } from "../controls/retry.js";
import type { Usage, UsageReservation } from "../records/budget.js";

/**
 * A type that reads as an error message where a call is wrong; no value has this type.
 * @internal
 */
export interface TypeError<TMessage extends string> {
  readonly "~weftTypeError": TMessage;
}

/** What a builder knows about its nodes: each name with the input its tasks receive. */
export interface BuilderDef {
  /** Node name → the type of a task's input (the state, or the node's own input schema). */
  readonly nodes: Record<string, unknown>;
  /** Command targets declared through `ends`, checked against the nodes at `compile()`. */
  readonly ends: string;
}

/** A builder with no nodes yet. */
export interface EmptyDef extends BuilderDef {
  readonly nodes: {};
  readonly ends: never;
}

/** The node names of a builder definition. */
export type NodeNames<TDef extends BuilderDef> = keyof TDef["nodes"] & string;

/** A `Send` to any node of the graph, with that node's input type. */
export type SendTo<TDef extends BuilderDef> = {
  [K in NodeNames<TDef>]: Send<K, TDef["nodes"][K]>;
}[NodeNames<TDef>];

/** What a router may return: a node name, `END`, a `Send`, or an array of these. */
export type Route<TDef extends BuilderDef> = NodeNames<TDef> | END | SendTo<TDef> | readonly (NodeNames<TDef> | END | SendTo<TDef>)[];

/**
 * The runtime services a task receives as its second argument.
 *
 * @see ../../../../docs/concepts/superstep.md
 */
export interface NodeContext {
  /** The node's name. */
  readonly node: string;
  /** The superstep this task runs in, from 1. */
  readonly superstep: number;
  /** This task's id, unique within the run: `"<step>:<position in step>"`. */
  readonly taskId: string;
  /** Which Send to this node in this step started the task (0-based), or undefined for edges. */
  readonly sendIndex: number | undefined;
  /** The attempt number, from 1; above 1 when the node's `retry` policy re-ran it. */
  readonly attempt: number;
  /** Fires on timeout, on run cancellation and when a sibling fails the run. */
  readonly signal: AbortSignal;
  /** Sends a custom event to the run's stream, tagged with this task. */
  emit(data: unknown): void;
  /**
   * Pauses the run to ask `value` of a human or another system. The first time, the node
   * stops here and the run returns the pending interrupt; when the thread is resumed with an
   * answer, the node runs again from the start and this call returns the answer. With
   * `{ timeoutMs, default }`, it answers itself with `default` once `timeoutMs` has passed
   * (`graph.recover()` resumes the thread then; a later answer is refused). Needs a
   * checkpointer and a `threadId`. Do not catch what it throws.
   *
   * @example
   * ```ts
   * const approved = ctx.interrupt<boolean>({ question: "Send this email?", draft });
   * ```
   * @see ../../../../docs/concepts/interrupts.md
   */
  interrupt<TAnswer = unknown>(value: unknown, options?: InterruptOptions<TAnswer>): TAnswer;
  /**
   * A key for external side effects (a payment, an email, a write to another system): the same
   * every time this task runs — its retries, its resume after an interrupt or a crash, another
   * worker — and different for every other task. Pass it to APIs that deduplicate requests.
   *
   * @example
   * ```ts
   * await payments.charge({ amount, idempotencyKey: ctx.idempotencyKey });
   * ```
   * @see ../../../../docs/concepts/steps.md
   */
  readonly idempotencyKey: string;
  /**
   * Runs `fn` once for this task and keeps what it returned: when the node runs again for the
   * same task (a retry, a resume after an interrupt or a crash, another worker), a step that
   * finished returns its saved value without calling `fn`. A step is known by its name and by
   * which call of that name it is in the task, so steps may run concurrently and in loops. A
   * step that threw runs again. With a checkpointer the value is saved in the thread's store
   * (it must be plain data a checkpoint can store); without one, it lasts for the run.
   *
   * @example
   * ```ts
   * const [a, b] = await Promise.all([
   *   ctx.step("search", () => search(query)),
   *   ctx.step("charge", ({ idempotencyKey }) => payments.charge({ amount, idempotencyKey })),
   * ]);
   * ```
   * @see ../../../../docs/concepts/steps.md
   */
  step<T>(name: string, fn: (step: StepContext) => T | PromiseLike<T>): Promise<Awaited<T>>;
  /**
   * Pauses this task for `ms` milliseconds, durably when the run has a thread: the wake-up time
   * is saved first, so a run whose process dies mid-sleep sleeps only what is left when it is
   * recovered. A sleep of at most the run's `inProcessSleepMs` (default 60 s) waits in this
   * process; a longer one pauses the run (`status: "waiting"`) and `graph.recover()` resumes it
   * once it is due, running the node again from the start, where this call then returns at once.
   * Without a thread it is a plain wait. Rejects when `ctx.signal` fires.
   *
   * @example
   * ```ts
   * await ctx.sleep(24 * 60 * 60_000); // a day: the run pauses and is recovered tomorrow
   * ```
   * @see ../../../../docs/concepts/interrupts.md
   */
  sleep(ms: number): Promise<void>;
  /**
   * Counts what this task used (a model call's tokens, its cost) against the run's budget and
   * the budgets of the Sends it descends from, and reports it as a `task:usage` event.
   * `@weft/openai` reports every model call this way; other providers' nodes can too.
   *
   * @example
   * ```ts
   * ctx.reportUsage({ model: "claude-haiku", inputTokens: 1200, outputTokens: 310 });
   * ```
   * @see ../../../../docs/concepts/budgets.md
   */
  reportUsage(usage: Usage): void;
  /**
   * Holds back `estimate` for a call about to start, so that calls running at once cannot
   * together go past a budget; throws `BUDGET_EXCEEDED` when a budget over this task is spent
   * or the estimate does not fit in what is left. Settle the reservation with what the call used.
   *
   * @example
   * ```ts
   * const reservation = ctx.reserveUsage({ model, inputTokens: 900, outputTokens: 300 });
   * let answer;
   * try {
   *   answer = await myModel.complete(prompt);
   * } finally {
   *   reservation.settle(answer && { model, inputTokens: answer.inputTokens, outputTokens: answer.outputTokens });
   * }
   * ```
   * @see ../../../../docs/concepts/budgets.md
   */
  reserveUsage(estimate?: Usage): UsageReservation;
}

/**
 * What a step's function receives: which step it is, a key for its side effects and the
 * node's signal.
 *
 * @example
 * ```ts
 * await ctx.step("email", ({ idempotencyKey, signal }) => mailer.send(message, { idempotencyKey, signal }));
 * ```
 * @see ../../../../docs/concepts/steps.md
 */
export interface StepContext {
  /** The step's name. */
  readonly name: string;
  /** Which call of this name in the task it is, from 0. */
  readonly occurrence: number;
  /** Like `ctx.idempotencyKey`, but for this step alone: the same every time this step runs. */
  readonly idempotencyKey: string;
  /** The node's signal: fires on timeout, on run cancellation and when a sibling fails the run. */
  readonly signal: AbortSignal;
}

/**
 * Options of `ctx.interrupt`: a deadline after which the interrupt answers itself.
 *
 * @example
 * ```ts
 * const approved = ctx.interrupt<boolean>("Ship it?", { timeoutMs: 24 * 60 * 60_000, default: false });
 * ```
 * @see ../../../../docs/concepts/interrupts.md
 */
export interface InterruptOptions<TAnswer = unknown> {
  /**
   * Milliseconds (finite, ≥ 0) after which the interrupt resumes by itself with `default`,
   * counted by the checkpointer's clock. An answer that comes later is refused.
   */
  readonly timeoutMs: number;
  /** The answer when time runs out; default `undefined`. It is stored, so it must be storable. */
  readonly default?: TAnswer;
}

/** What a node may return. */
export type NodeResult<TState extends AnyStateSchema, TEnds extends string> =
  | UpdateOf<TState>
  | Command<TEnds | END, UpdateOf<TState>>
  | ParentCommand
  | ((draft: Draft<StateOf<TState>>) => void)
  | void
  | undefined;

/**
 * What `addNode` accepts a node's function to return while it infers that return type: the
 * results of {@link NodeResult} and, so that a wrong key can be named by {@link CheckedResult}
 * rather than rejected by a long union, any object.
 * @internal
 */
export type LooseResult<TState extends AnyStateSchema, TEnds extends string> =
  | NodeResult<TState, TEnds>
  | Command<TEnds | END, unknown>
  | Readonly<Record<string, unknown>>
  | PromiseLike<NodeResult<TState, TEnds> | Command<TEnds | END, unknown> | Readonly<Record<string, unknown>>>;

/** The keys of an update that the state does not have (none for a loose record type). */
type KeysOutside<TUpdate, TState extends AnyStateSchema> = TUpdate extends object
  ? string extends keyof TUpdate
    ? never
    : Exclude<keyof TUpdate, keyof UpdateOf<TState>> & string
  : never;

/** Why a node's result is wrong, as a message naming the culprit; never when it is right so far. */
type ResultProblem<TResult, TState extends AnyStateSchema> = TResult extends ParentCommand
  ? never
  : TResult extends Command<string, infer TUpdate>
    ? [KeysOutside<TUpdate, TState>] extends [never]
      ? unknown extends TUpdate
        ? never
        : TUpdate extends UpdateOf<TState>
          ? never
          : "The update of this Command does not match the state"
      : `Key "${KeysOutside<TUpdate, TState>}" of this Command's update is not in the state`
    : TResult extends (...args: never[]) => unknown
      ? never
      : [KeysOutside<TResult, TState>] extends [never]
        ? never
        : `Key "${KeysOutside<TResult, TState>}" is not in the state`;

/**
 * The type a node's function must return, given what it does return: a {@link NodeResult}, or
 * a {@link TypeError} naming an update key the state does not have.
 * @internal
 */
export type CheckedResult<TResult, TState extends AnyStateSchema, TEnds extends string> = [
  ResultProblem<Awaited<TResult>, TState>,
] extends [never]
  ? NodeResult<TState, TEnds> | Command<TEnds | END, unknown> | PromiseLike<NodeResult<TState, TEnds> | Command<TEnds | END, unknown>>
  : TypeError<ResultProblem<Awaited<TResult>, TState>>;

/**
 * A node: an (async) function of its input and a {@link NodeContext}. It may return any
 * thenable (a query builder, say), which is awaited like a promise.
 */
export type NodeFn<TInput, TState extends AnyStateSchema, TEnds extends string = never> = (
  input: TInput,
  ctx: NodeContext,
) => NodeResult<TState, TEnds> | PromiseLike<NodeResult<TState, TEnds>>;

/** Options of `addNode`. */
export interface NodeOptions<TState extends AnyStateSchema, TInputSchema extends z.ZodType | undefined, TEnds extends string> {
  /**
   * The schema of this node's input when it is not the whole state, typically for a `Send`
   * worker. Send inputs are validated with it; edge-triggered tasks get the state parsed with it.
   */
  readonly input?: TInputSchema;
  /** The nodes a `Command` returned by this node may go to. */
  readonly ends?: readonly TEnds[];
  /** Run only once no other task, Sends included, is pending. */
  readonly defer?: boolean;
  /** Abort and fail an attempt that runs longer than this. */
  readonly timeoutMs?: number;
  /** Re-run a failed attempt. */
  readonly retry?: RetryPolicy;
  /**
   * At most this many tasks (a whole number ≥ 1) of this node run at once within a run; the
   * others wait in order. A {@link ConcurrencyLimit} instead caps this node together with every
   * other node, graph and run given the same limit.
   */
  readonly concurrency?: number | ConcurrencyLimit;
  /**
   * A provider's rate limit (or several): each task waits its turn before it runs, and each
   * retry before it calls again; a 429 pauses the key for every task that shares it.
   * @see ../../../../docs/guides/rate-limits.md
   */
  readonly rateLimit?: RateLimit | readonly RateLimit[];
  /** The tokens one task of this node is expected to use, from its input, for a `RateLimit` with a token limit. */
  readonly estimateTokens?: (input: NodeInput<TState, TInputSchema>) => number;
  /**
   * What a failure (after retries) does: `"fail"` fails the run and aborts siblings (default),
   * `"continue"` records it and commits the rest of the step, a function turns it into an update.
   */
  readonly onError?: "fail" | "continue" | ErrorHandler<NodeInput<TState, TInputSchema>, UpdateOf<TState>>;
}

/** The input a node's tasks receive: its own input schema's output, or the state. */
export type NodeInput<TState extends AnyStateSchema, TInputSchema> = TInputSchema extends z.ZodType
  ? z.output<TInputSchema>
  : StateOf<TState>;

/** The input a `Send` to a node must carry. */
export type SendInput<TState extends AnyStateSchema, TInputSchema> = TInputSchema extends z.ZodType
  ? z.input<TInputSchema>
  : StateOf<TState>;

/** Turns a task's failure into an update (or nothing) that is committed in its place. */
export type ErrorHandler<TInput = unknown, TUpdate = Record<string, unknown>> = (
  error: unknown,
  input: TInput,
  ctx: NodeContext,
) => TUpdate | void | Promise<TUpdate | void>;
