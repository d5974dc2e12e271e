import { GraphError, type NodeContext } from "@weft/core";
import type { ChatCompletionMessageToolCall, ChatCompletionToolMessageParam } from "openai/resources/chat/completions";
import { z } from "zod";
import type { ToolEvent } from "../events/events.js";
import { pauseAfter, takeTurns } from "../model/turns.js";
import { limiter } from "./limit.js";
import type { Tool } from "./tool.js";

/**
 * Why a tool call produced an error message instead of a result.
 *
 * @example
 * ```ts
 * const failed = results.filter((r) => r.failure === "INVALID_ARGUMENTS").map((r) => r.name);
 * ```
 */
export type ToolFailure =
  /** The model called a tool that is not in the list. */
  | "UNKNOWN_TOOL"
  /** The arguments are not JSON, or do not match the tool's zod schema. */
  | "INVALID_ARGUMENTS"
  /** The tool threw. */
  | "TOOL_FAILED"
  /** The tool ran longer than its timeout. */
  | "TOOL_TIMEOUT";

/**
 * The outcome of one tool call: a tool message for the model, and the facts for programs.
 *
 * @example
 * ```ts
 * for (const result of results) console.log(result.name, result.failure ?? "ok", result.durationMs);
 * ```
 */
export interface ToolResult {
  readonly callId: string;
  readonly name: string;
  /** Position of the call in its assistant message. */
  readonly index: number;
  /** The message to append to the conversation: the result, or an error the model can read. */
  readonly message: ChatCompletionToolMessageParam;
  /** The tool's return value; undefined when it failed. */
  readonly value: unknown;
  /** Set when the call failed; the message then explains the failure to the model. */
  readonly failure: ToolFailure | undefined;
  /** The thrown error or validation error, when the call failed. */
  readonly error: unknown;
  readonly durationMs: number;
}

/**
 * How {@link runToolCalls} runs the calls.
 *
 * @example
 * ```ts
 * const options: RunToolCallsOptions = { timeoutMs: 5_000, concurrency: 4, signal: ctx.signal, emit: ctx.emit };
 * ```
 */
export interface RunToolCallsOptions {
  /** Cancels every call; then `runToolCalls` rejects instead of answering the model. */
  readonly signal?: AbortSignal;
  /** Default per-call timeout, for tools without their own `timeoutMs`. */
  readonly timeoutMs?: number;
  /** At most this many calls run at once; the others wait in call order. Default: all at once. */
  readonly concurrency?: number;
  /** Receives `openai.tool` start/end events (a node's `ctx.emit`). */
  readonly emit?: (data: unknown) => void;
  /**
   * The node's `ctx.step`, bound to it: each tool that returns becomes a step of the node's
   * task (`openai.tool:<call id>`), so a retry or a resume of the task does not run it again.
   * Its value must then be plain data a checkpoint can store.
   */
  readonly step?: NodeContext["step"];
}

/**
 * Runs every tool call of one assistant message concurrently and answers each with a tool
 * message, in call order. Unknown tools, bad arguments, throwing and timed-out tools become
 * error messages the model can read; only cancellation rejects.
 *
 * @example
 * ```ts
 * const results = await runToolCalls(answer.toolCalls, [getWeather], { timeoutMs: 5_000, signal });
 * messages.push(...results.map((r) => r.message));
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export async function runToolCalls(
  calls: readonly ChatCompletionMessageToolCall[],
  tools: readonly Tool[],
  options: RunToolCallsOptions = {},
): Promise<ToolResult[]> {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const signal = options.signal ?? new AbortController().signal;
  signal.throwIfAborted();
  if (options.concurrency !== undefined && !(options.concurrency >= 1)) {
    throw new GraphError("INVALID_OPTION", `Tool concurrency must be at least 1, got ${options.concurrency}.`);
  }
  const limit = options.concurrency === undefined ? undefined : limiter(options.concurrency);
  const cancelled = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  cancelled.catch(() => undefined);
  const runs = calls.map((call, index) => {
    const run = () => runOne(call, index, byName, signal, options);
    return limit === undefined ? run() : limit(run);
  });
  return Promise.race([Promise.all(runs), cancelled]);
}

async function runOne(
  call: ChatCompletionMessageToolCall,
  index: number,
  tools: ReadonlyMap<string, Tool>,
  signal: AbortSignal,
  options: RunToolCallsOptions,
): Promise<ToolResult> {
  signal.throwIfAborted();
  const name = call.type === "function" ? call.function.name : call.custom.name;
  const started = performance.now();
  const emit = options.emit ?? (() => undefined);
  emit({ type: "openai.tool", phase: "start", name, callId: call.id, index } satisfies ToolEvent);
  const done = (outcome: { content: string; value?: unknown; failure?: ToolFailure; error?: unknown }): ToolResult => {
    const durationMs = performance.now() - started;
    const ok = outcome.failure === undefined;
    emit({ type: "openai.tool", phase: "end", name, callId: call.id, index, ok, durationMs } satisfies ToolEvent);
    return {
      callId: call.id,
      name,
      index,
      message: { role: "tool", tool_call_id: call.id, content: outcome.content },
      value: outcome.value,
      failure: outcome.failure,
      error: outcome.error,
      durationMs,
    };
  };

  const tool = tools.get(name);
  if (tool === undefined || call.type !== "function") {
    const known = [...tools.keys()].map((n) => `"${n}"`).join(", ");
    return done({
      content: `Error: there is no tool named "${name}". Available tools: ${known || "none"}.`,
      failure: "UNKNOWN_TOOL",
    });
  }
  let json: unknown;
  try {
    json = call.function.arguments.trim() === "" ? {} : JSON.parse(call.function.arguments);
  } catch (error) {
    return done({
      content:
        `Error: the arguments of "${name}" are not valid JSON (${(error as Error).message}). ` +
        `Call the tool again with a JSON object matching its parameters.`,
      failure: "INVALID_ARGUMENTS",
      error,
    });
  }
  const args = tool.parameters.safeParse(json);
  if (!args.success) {
    return done({
      content:
        `Error: invalid arguments for "${name}":\n${z.prettifyError(args.error)}\n` +
        `Call the tool again with arguments matching its parameters.`,
      failure: "INVALID_ARGUMENTS",
      error: args.error,
    });
  }

  return callTool(tool, args.data, { call, index, signal, options, emit }, done);
}

/** Runs one validated call of `tool`, bounded by its timeout; a failure becomes an error message for the model. */
async function callTool(
  tool: Tool,
  data: unknown,
  at: {
    readonly call: ChatCompletionMessageToolCall;
    readonly index: number;
    readonly signal: AbortSignal;
    readonly options: RunToolCallsOptions;
    readonly emit: (data: unknown) => void;
  },
  done: (outcome: { content: string; value?: unknown; failure?: ToolFailure; error?: unknown }) => ToolResult,
): Promise<ToolResult> {
  const { call, index, signal, options, emit } = at;
  const name = tool.name;
  const timeoutMs = tool.timeoutMs ?? options.timeoutMs;
  const controller = new AbortController();
  const callSignal = AbortSignal.any([signal, controller.signal]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let startClock = (): void => {};
  const timedOut = new Promise<"timeout">((resolve) => {
    if (timeoutMs === undefined) return;
    startClock = () => {
      timer = setTimeout(() => {
        controller.abort(new Error(`Tool "${name}" timed out after ${timeoutMs} ms.`));
        resolve("timeout");
      }, timeoutMs);
    };
  });
  // Set when the tool itself threw: anything else that throws (saving its step) fails the node.
  let toolThrew = false;
  // A call whose step is saved neither waits for a turn nor runs. Otherwise the turn is taken
  // first, and the call's own timeout starts after it: waiting for a turn is not running.
  const execute = async () => {
    const tickets = await takeTurns(tool.rateLimit, 0, signal);
    startClock();
    try {
      return await Promise.resolve()
        .then(() => tool.execute(data, { signal: callSignal, callId: call.id, index, emit }))
        .catch((error: unknown) => {
          toolThrew = true;
          throw error;
        });
    } finally {
      for (const ticket of tickets) ticket.settle(undefined);
    }
  };
  try {
    const execution = options.step === undefined ? execute() : options.step(`openai.tool:${call.id}`, execute);
    const outcome = await Promise.race([execution.then((value) => ({ value })), timedOut]);
    if (outcome === "timeout") {
      execution.catch(() => undefined);
      return done({
        content: `Error: the tool "${name}" timed out after ${timeoutMs} ms and was cancelled. Try again or do without it.`,
        failure: "TOOL_TIMEOUT",
        error: controller.signal.reason,
      });
    }
    return done({ content: toContent(outcome.value), value: outcome.value });
  } catch (error) {
    // A cancelled run must not turn into a message: let the node see the abort.
    if (signal.aborted) throw signal.reason;
    if (!toolThrew) throw error;
    await pauseAfter(tool.rateLimit, error);
    const reason = error instanceof Error ? error.message : String(error);
    return done({ content: `Error: the tool "${name}" failed: ${reason}`, failure: "TOOL_FAILED", error });
  } finally {
    clearTimeout(timer);
  }
}

/** A string result is sent as is; anything else as JSON (`undefined` as `null`). */
function toContent(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? "null";
}
