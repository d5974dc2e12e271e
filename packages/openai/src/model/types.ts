import type { NodeContext } from "@weft/core";
import type OpenAI from "openai";
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageFunctionToolCall,
} from "openai/resources/chat/completions";
import type { Usage, UsageReservation } from "@weft/core";
import type { TokenUsage } from "../events/events.js";

/**
 * What `@weft/openai` needs of a client: `chat.completions.create`. An `OpenAI` instance (or an
 * `AzureOpenAI`, or any client of an OpenAI-compatible server) fits.
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * const client: ChatClient = new OpenAI(); // reads OPENAI_API_KEY and OPENAI_BASE_URL
 * ```
 */
export type ChatClient = Pick<OpenAI, "chat">;

/**
 * Extra request parameters (`temperature`, `max_completion_tokens`, `tool_choice`, `seed`…):
 * everything but what the helpers set themselves.
 *
 * @example
 * ```ts
 * const request: ModelRequest = { temperature: 0, max_completion_tokens: 200 };
 * ```
 */
export type ModelRequest = Omit<
  ChatCompletionCreateParamsNonStreaming,
  "model" | "messages" | "stream" | "stream_options" | "response_format" | "tools"
>;

/**
 * A model's answer, ready to use: its text, the parsed structured output when a schema was
 * given, the assistant message to append to a conversation, its tool calls and token usage.
 *
 * @example
 * ```ts
 * const answer: ModelAnswer<{ label: string }> = await callModel({ client, model, messages, schema });
 * answer.parsed.label;
 * ```
 */
export interface ModelAnswer<TParsed = undefined> {
  /** The answer's text content ("" when the model only called tools). */
  readonly text: string;
  /** The structured output, validated with the schema; `undefined` without a schema. */
  readonly parsed: TParsed;
  /** The answer as a message param, ready to append to a conversation. */
  readonly message: ChatCompletionAssistantMessageParam;
  /** The function tool calls of the answer, in order. */
  readonly toolCalls: readonly ChatCompletionMessageFunctionToolCall[];
  /** Why the model stopped: `"stop"`, `"tool_calls"`, `"length"`… */
  readonly finishReason: string | null;
  /** Token usage, when the server reported it. */
  readonly usage: TokenUsage | undefined;
  /** The model that answered, as the server named it. */
  readonly model: string;
  /** The completion's id. */
  readonly id: string;
}

/**
 * What a model call takes from its caller's task: the node's `ctx` fits. Outside a graph,
 * pass `{ signal }` or nothing.
 *
 * @example
 * ```ts
 * builder.addNode("ask", async (state, ctx) => {
 *   const answer = await callModel({ client, model, messages: state.messages }, ctx);
 *   return { messages: answer.message };
 * });
 * ```
 */
export interface CallContext {
  /** Aborts the HTTP request. */
  readonly signal?: AbortSignal;
  /** Receives usage and delta events (a node's `ctx.emit`). */
  readonly emit?: (data: unknown) => void;
  /** The node attempt, copied into events. */
  readonly attempt?: number;
  /**
   * The node's `ctx.step`: when given, the call is a step of the node's task, so a retry or a
   * resume of the task (after an interrupt or a crash, on a durable thread) gets the answer
   * back without calling the model again.
   */
  readonly step?: NodeContext["step"];
  /** Counts the call's usage against the run's budgets (a node's `ctx.reportUsage`). */
  readonly reportUsage?: (usage: Usage) => void;
  /**
   * Checks the call's estimate against the run's budgets before it starts and holds it back
   * while it runs (a node's `ctx.reserveUsage`); a spent budget fails the call with `BUDGET_EXCEEDED`.
   */
  readonly reserveUsage?: (estimate?: Usage) => UsageReservation;
}
