import type { RunEvent } from "@weft/core";

/**
 * Token counts of one model call, as the API reported them.
 *
 * @example
 * ```ts
 * const usage: TokenUsage = { promptTokens: 11, completionTokens: 7, totalTokens: 18 };
 * ```
 */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

/**
 * Reported once per model call that returned usage (streamed calls ask for it with
 * `stream_options.include_usage`).
 *
 * @example
 * ```ts
 * if (event.type === "custom" && isOpenAIEvent(event.data) && event.data.type === "openai.usage") {
 *   console.log(event.taskId, event.data.totalTokens);
 * }
 * ```
 */
export interface UsageEvent extends TokenUsage {
  readonly type: "openai.usage";
  readonly model: string;
  /** The node attempt that made the call (above 1 after a retry). */
  readonly attempt: number;
  /** How long the call took, from sending the request to the end of the answer. */
  readonly durationMs?: number;
}

/**
 * A piece of streamed answer text, in order.
 *
 * @example
 * ```ts
 * if (isOpenAIRunEvent(event, "openai.delta")) process.stdout.write(event.data.text);
 * ```
 */
export interface DeltaEvent {
  readonly type: "openai.delta";
  readonly text: string;
  readonly model: string;
  /**
   * The node attempt this text belongs to. After a retry the answer starts over, so a display
   * drops the deltas of earlier attempts of the same task.
   */
  readonly attempt: number;
}

/**
 * A tool call started (`phase: "start"`) or ended (`phase: "end"`, with its outcome).
 *
 * @example
 * ```ts
 * if (isOpenAIRunEvent(event, "openai.tool") && event.data.phase === "end") {
 *   console.log(event.data.name, event.data.ok ? "ok" : "failed", event.data.durationMs);
 * }
 * ```
 */
export interface ToolEvent {
  readonly type: "openai.tool";
  readonly phase: "start" | "end";
  readonly name: string;
  readonly callId: string;
  /** Position of the call in its assistant message. */
  readonly index: number;
  /** On `"end"`: false when the result is an error message for the model. */
  readonly ok?: boolean;
  /** On `"end"`: how long the tool ran. */
  readonly durationMs?: number;
}

/**
 * Every custom event `@weft/openai` emits through `ctx.emit`. The run tags each with the task
 * (`taskId`, `node`, `sendIndex`) that emitted it.
 *
 * @example
 * ```ts
 * for await (const event of graph.stream(input)) {
 *   if (event.type === "custom" && isOpenAIEvent(event.data) && event.data.type === "openai.delta") {
 *     process.stdout.write(event.data.text);
 *   }
 * }
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export type OpenAIEvent = UsageEvent | DeltaEvent | ToolEvent;

const types = new Set<string>(["openai.usage", "openai.delta", "openai.tool"]);

/**
 * True when a custom event's `data` is one of {@link OpenAIEvent}.
 *
 * @example
 * ```ts
 * if (event.type === "custom" && isOpenAIEvent(event.data)) console.log(event.taskId, event.data.type);
 * ```
 */
export function isOpenAIEvent(data: unknown): data is OpenAIEvent {
  return typeof data === "object" && data !== null && types.has((data as { type?: unknown }).type as string);
}

/** Any run event (of any graph), as far as these helpers need to see it. */
type AnyRunEvent = { readonly type: string };

/**
 * A run's `custom` event whose payload is an {@link OpenAIEvent} of type `T`.
 *
 * @example
 * ```ts
 * const deltas: OpenAIRunEvent<"openai.delta">[] = events.filter((e) => isOpenAIRunEvent(e, "openai.delta"));
 * ```
 */
export type OpenAIRunEvent<T extends OpenAIEvent["type"] = OpenAIEvent["type"]> = Extract<RunEvent, { type: "custom" }> & {
  readonly data: Extract<OpenAIEvent, { type: T }>;
};

/**
 * Narrows a run event to an {@link OpenAIEvent} of the given type, keeping its task tags.
 *
 * @example
 * ```ts
 * for await (const event of graph.stream(input)) {
 *   if (isOpenAIRunEvent(event, "openai.usage")) console.log(event.taskId, event.data.totalTokens);
 * }
 * ```
 */
export function isOpenAIRunEvent<T extends OpenAIEvent["type"]>(event: AnyRunEvent, type: T): event is OpenAIRunEvent<T> {
  if (event.type !== "custom") return false;
  const data = (event as { data?: unknown }).data;
  return isOpenAIEvent(data) && data.type === type;
}

/**
 * Adds up the token usage of a run's events, in all and per task.
 *
 * @example
 * ```ts
 * const events = [];
 * for await (const event of graph.stream(input)) events.push(event);
 * const { total, byTask } = sumUsage(events);
 * console.log(total.totalTokens, byTask.get("1:0"));
 * ```
 */
export function sumUsage(events: Iterable<AnyRunEvent>): {
  total: TokenUsage;
  byTask: Map<string, TokenUsage>;
} {
  const add = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  });
  const zero: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  let total = zero;
  const byTask = new Map<string, TokenUsage>();
  for (const event of events) {
    if (!isOpenAIRunEvent(event, "openai.usage")) continue;
    total = add(total, event.data);
    byTask.set(event.taskId, add(byTask.get(event.taskId) ?? zero, event.data));
  }
  return { total, byTask };
}
