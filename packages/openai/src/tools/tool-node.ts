import type { NodeContext } from "@weft/core";
import type {
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionToolMessageParam,
} from "openai/resources/chat/completions";
import { toolCallsOf } from "../messages/messages.js";
import { runToolCalls, type ToolResult } from "./run-tool-calls.js";
import type { Tool } from "./tool.js";

/**
 * Options of every tool node.
 *
 * @example
 * ```ts
 * const options: ToolNodeBaseOptions = { tools: [getWeather], timeoutMs: 10_000, concurrency: 4 };
 * ```
 */
export interface ToolNodeBaseOptions {
  readonly tools: readonly Tool[];
  /** Default per-call timeout, for tools without their own `timeoutMs`. */
  readonly timeoutMs?: number;
  /** At most this many calls of one message run at once. Default: all at once. */
  readonly concurrency?: number;
}

/**
 * A tool node that reads and writes something other than `state.messages`.
 *
 * @example
 * ```ts
 * const options: ToolNodeOptions<State, { observations: string[] }> = {
 *   tools: [getWeather],
 *   calls: (s) => s.pending,
 *   output: (results) => ({ observations: results.map((r) => String(r.message.content)) }),
 * };
 * ```
 */
export interface ToolNodeOptions<TInput, TUpdate> extends ToolNodeBaseOptions {
  /** The tool calls to run. */
  readonly calls: (input: TInput) => readonly ChatCompletionMessageToolCall[];
  /** Turns the results (in call order) into the node's update. */
  readonly output: (results: ToolResult[], input: TInput) => TUpdate;
}

/**
 * The input of a tool node on a conversation state.
 *
 * @example
 * ```ts
 * const input: MessagesInput = { messages: [{ role: "user", content: "Hi" }] };
 * ```
 */
export interface MessagesInput {
  readonly messages: readonly ChatCompletionMessageParam[];
}

/**
 * A tool node with its own reading (`calls`) and writing (`output`) of the state.
 *
 * @example
 * ```ts
 * toolNode({
 *   tools: [getWeather],
 *   calls: (s: { pending: ChatCompletionMessageToolCall[] }) => s.pending,
 *   output: (results) => ({ observations: results.map((r) => r.message.content) }),
 * });
 * ```
 */
export function toolNode<TInput, TUpdate>(options: ToolNodeOptions<TInput, TUpdate>): (input: TInput, ctx: NodeContext) => Promise<TUpdate>;
/**
 * A node that runs every tool call of the last assistant message concurrently (per-call
 * timeout, optional concurrency cap) and appends one tool message per call, in call order.
 * Bad arguments and failing tools become messages the model reads; the run goes on.
 *
 * @example
 * ```ts
 * const State = z.object({ messages: messageList() });
 * new StateGraph(State)
 *   .addNode("tools", toolNode({ tools: [getWeather], timeoutMs: 10_000, concurrency: 4 }));
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export function toolNode(
  options: ToolNodeBaseOptions,
): (input: MessagesInput, ctx: NodeContext) => Promise<{ messages: ChatCompletionToolMessageParam[] }>;
export function toolNode(
  options: ToolNodeBaseOptions & Partial<ToolNodeOptions<never, unknown>>,
): (input: never, ctx: NodeContext) => Promise<unknown> {
  const given = options as ToolNodeBaseOptions & Partial<ToolNodeOptions<unknown, unknown>>;
  const calls = given.calls ?? ((input: unknown) => toolCallsOf((input as MessagesInput).messages.at(-1)));
  const output = given.output ?? ((results: ToolResult[]) => ({ messages: results.map((result) => result.message) }));
  return async (input: unknown, ctx) => {
    const results = await runToolCalls(calls(input), options.tools, {
      signal: ctx.signal,
      emit: (data) => ctx.emit(data),
      step: (name, fn) => ctx.step(name, fn),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    });
    return output(results, input);
  };
}
