import type { IncomingHttpHeaders } from "node:http";

/**
 * A tool call a scripted reply makes.
 *
 * @example
 * ```ts
 * const call: ScriptedToolCall = { name: "get_weather", arguments: { city: "Paris" }, id: "call_paris" };
 * ```
 */
export interface ScriptedToolCall {
  readonly name: string;
  /** An object is sent as JSON; a string is sent as is (so it can be malformed on purpose). */
  readonly arguments: unknown;
  /** Default `call_<n>`. */
  readonly id?: string;
}

/**
 * Timing and usage options every successful reply takes.
 *
 * @example
 * ```ts
 * const slow: ReplyTiming = { latencyMs: 200, chunkDelayMs: 10, usage: { prompt_tokens: 12, completion_tokens: 3 } };
 * ```
 */
export interface ReplyTiming {
  /** Wait this long before answering (streams: before the first chunk). Aborting the request cuts it short. */
  readonly latencyMs?: number;
  /**
   * Streams: wait this long before each chunk after the first (the first, which carries the
   * role, goes out after `latencyMs`). A function gets the chunk's index (1, 2, …). Default 0.
   */
  readonly chunkDelayMs?: number | ((chunk: number) => number);
  /** Streams: the text pieces to send. Default: the text split after each word. */
  readonly chunks?: readonly string[];
  /** Token usage to report. Default: words in the request and in the answer. */
  readonly usage?: { readonly prompt_tokens?: number; readonly completion_tokens?: number };
  /** Default `"stop"`, or `"tool_calls"` when the reply calls tools. */
  readonly finishReason?: "stop" | "length" | "tool_calls" | "content_filter";
}

/**
 * What the server answers to one request:
 * - `{ text }` an assistant message (any text, malformed JSON included),
 * - `{ json }` an assistant message whose content is the value as JSON,
 * - `{ toolCalls }` an assistant message calling tools (several at once, optional `text`),
 * - `{ refusal }` a refusal,
 * - `{ status, error?, body? }` an HTTP failure (500, 429…) or, with `body`, any raw body,
 *   e.g. `{ status: 200, body: "{oops" }` for a malformed HTTP response.
 *
 * @example
 * ```ts
 * const replies: Reply[] = [
 *   { toolCalls: [{ name: "a", arguments: {} }, { name: "b", arguments: '{"bad": ' }] },
 *   { json: { label: "positive" }, latencyMs: 20 },
 *   { status: 429, error: "Rate limit reached" },
 * ];
 * ```
 */
export type Reply =
  | (ReplyTiming & { readonly text: string })
  | (ReplyTiming & { readonly json: unknown })
  | (ReplyTiming & { readonly toolCalls: readonly ScriptedToolCall[]; readonly text?: string })
  | (ReplyTiming & { readonly refusal: string })
  | {
      readonly status: number;
      readonly error?: string;
      readonly body?: string;
      readonly headers?: Readonly<Record<string, string>>;
      readonly latencyMs?: number;
    };

/**
 * Which requests a scripted reply answers: a test of the request, or a string/RegExp for the last user message.
 *
 * @example
 * ```ts
 * const afterTools: Matcher = (request) => request.body.messages.at(-1)?.role === "tool";
 * ```
 */
export type Matcher = string | RegExp | ((request: RecordedRequest) => boolean);

/**
 * A reply in the script, with the requests it answers and how many times.
 *
 * @example
 * ```ts
 * const always: ScriptedReply = { match: /weather/i, json: { tempC: 15 }, times: Infinity };
 * ```
 */
export type ScriptedReply = Reply & {
  /** Default: any request. */
  readonly match?: Matcher;
  /** How many requests it answers before it is used up. Default 1; `Infinity` for always. */
  readonly times?: number;
};

/**
 * Computes the reply to a request, for requests no scripted reply matches.
 *
 * @example
 * ```ts
 * const echo: ReplyHandler = (request) => ({ text: `echo: ${lastUserText(request)}` });
 * ```
 */
export type ReplyHandler = (request: RecordedRequest) => Reply | Promise<Reply>;

/**
 * A chat completions request body as the server received it.
 *
 * @example
 * ```ts
 * const body: ChatRequestBody = server.requests[0]!.body;
 * console.log(body.model, body.response_format?.json_schema?.name);
 * ```
 */
export interface ChatRequestBody {
  readonly model: string;
  readonly messages: readonly { readonly role: string; readonly content?: unknown; readonly [key: string]: unknown }[];
  readonly stream?: boolean;
  readonly stream_options?: { readonly include_usage?: boolean };
  readonly tools?: readonly unknown[];
  readonly tool_choice?: unknown;
  readonly response_format?: {
    readonly type: string;
    readonly json_schema?: { readonly name: string; readonly schema?: unknown; readonly strict?: boolean };
  };
  readonly [key: string]: unknown;
}

/**
 * One request the server received, with when it came and how it ended.
 *
 * @example
 * ```ts
 * const [first] = server.requests;
 * console.log(first?.receivedAt, first?.respondedAt, first?.aborted);
 * ```
 */
export interface RecordedRequest {
  /** Arrival order, from 0. */
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: ChatRequestBody;
  /** Epoch milliseconds (sub-millisecond precision) when the request arrived. */
  readonly receivedAt: number;
  /** When the response was fully sent; undefined while it runs or if it was aborted. */
  readonly respondedAt: number | undefined;
  /** True when the client went away (aborted) before the response was complete. */
  readonly aborted: boolean;
  /** The HTTP status sent (or about to be sent). */
  readonly status: number | undefined;
}
