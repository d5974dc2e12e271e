import type {
  ChatCompletion,
  ChatCompletionAssistantMessageParam,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";
import type { RateLimit } from "@weft/core";
import type { z } from "zod";
import { ModelError } from "../errors.js";
import type { DeltaEvent, TokenUsage, UsageEvent } from "../events/events.js";
import { toOpenAISchema } from "../schema/json-schema.js";
import type { Tool } from "../tools/tool.js";
import { ChunkAccumulator, fromCompletion, type RawAnswer } from "./accumulate.js";
import { parseStructured, preview } from "./parse.js";
import type { CallContext, ChatClient, ModelAnswer, ModelRequest } from "./types.js";
import { estimateRequest, type ModelEstimate, tokensOf } from "./estimate.js";
import type { Usage, UsageReservation } from "@weft/core";
import { pauseAfter, takeTurns } from "./turns.js";

/**
 * The parsed output type for an optional schema.
 *
 * @example
 * ```ts
 * type Parsed = ParsedOf<typeof Sentiment>; // z.output<typeof Sentiment>
 * type None = ParsedOf<undefined>; // undefined
 * ```
 */
export type ParsedOf<TSchema extends z.ZodType | undefined> = TSchema extends z.ZodType ? z.output<TSchema> : undefined;

/**
 * What {@link callModel} takes.
 *
 * @example
 * ```ts
 * const options: CallModelOptions<typeof Sentiment> = { client, model: "gpt-4o-mini", messages, schema: Sentiment };
 * ```
 */
export interface CallModelOptions<TSchema extends z.ZodType | undefined = undefined> {
  readonly client: ChatClient;
  readonly model: string;
  readonly messages: readonly ChatCompletionMessageParam[];
  /** Ask for structured output matching this zod schema (`response_format: json_schema`). */
  readonly schema?: TSchema;
  /** The `json_schema.name` sent with a schema. Default `"answer"`. */
  readonly schemaName?: string;
  /** OpenAI strict mode for the schema. Default: on when the schema allows it. */
  readonly strict?: boolean;
  /** Tools the model may call. */
  readonly tools?: readonly Tool[];
  /** Stream the answer, emitting each piece of text as an `openai.delta` event. */
  readonly stream?: boolean;
  /** Extra request parameters: `temperature`, `tool_choice`, `max_completion_tokens`… */
  readonly request?: ModelRequest;
  /**
   * What the call is expected to use: checked against the run's budgets before it starts, and
   * what it counts for at its rate limits' token limits until the answer reports its usage.
   * Default: the messages' text at about four characters a token, plus `max_completion_tokens`.
   */
  readonly estimate?: ModelEstimate;
  /**
   * Provider rate limits (`RateLimit` from `@weft/core`): the call waits its turn at each just
   * before the request goes, counts for its `estimate` and then for the usage the answer
   * reports, and a 429 pauses the key for every caller that shares it. Shared through Redis,
   * the limit holds where the requests leave, whichever worker makes them.
   */
  readonly rateLimit?: RateLimit | readonly RateLimit[];
}

/**
 * Calls the chat completions API once: builds the request (schema, tools, streaming), passes
 * the abort signal, emits usage and delta events, and validates a structured answer. Within a
 * graph, the call is checked against the run's budgets before it starts (with its estimate)
 * and its usage is counted when it ends (`ctx.reserveUsage`, `ctx.reportUsage`). Given a
 * node's `ctx`, the call is a step of its task (`openai.chat`): a retry or a resume of the task
 * returns the saved answer and calls the model no more (nor counts its usage again). An answer
 * that fails validation is not saved, so a retry asks again.
 *
 * @example
 * ```ts
 * const answer = await callModel(
 *   { client, model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] },
 *   ctx, // a node's context: signal, emit, attempt
 * );
 * console.log(answer.text, answer.usage?.totalTokens);
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export async function callModel<TSchema extends z.ZodType | undefined = undefined>(
  options: CallModelOptions<TSchema>,
  ctx: CallContext = {},
): Promise<ModelAnswer<ParsedOf<TSchema>>> {
  if (ctx.step === undefined) return toAnswer(options, await request(options, ctx));
  // The step keeps the raw answer (plain JSON data), once it is known to be valid: whatever
  // the schema's output holds, what is saved is what the server sent.
  const raw = await ctx.step("openai.chat", async () => {
    const answer = await request(options, ctx);
    toAnswer(options, answer);
    return answer;
  });
  return toAnswer(options, raw);
}

/**
 * Makes the call: holds back its estimate against the budgets, waits its turn at its rate
 * limits, sends the request, then settles both with the usage the answer reports and emits
 * the usage event. A call its budget refuses takes no turn.
 */
async function request(options: CallModelOptions<z.ZodType | undefined>, ctx: CallContext): Promise<RawAnswer> {
  const body = requestBody(options);
  const limits = options.rateLimit;
  // One estimate serves both: the budgets hold it back, the rate limits count it.
  const estimate = ctx.reserveUsage === undefined && limits === undefined ? undefined : (options.estimate ?? estimateRequest(body));
  const reservation = estimate === undefined ? undefined : reserve(options.model, estimate, ctx);
  let tickets: Awaited<ReturnType<typeof takeTurns>>;
  try {
    tickets = await takeTurns(limits, estimate === undefined ? 0 : tokensOf(estimate), ctx.signal);
  } catch (error) {
    reservation?.settle();
    throw error;
  }
  const requestOptions = ctx.signal === undefined ? undefined : { signal: ctx.signal };
  const attempt = ctx.attempt ?? 1;
  const started = performance.now();
  let raw: RawAnswer;
  try {
    raw = await send(options, body, { ctx, requestOptions, attempt });
  } catch (error) {
    // A call that failed reported no usage: what it may have used is unknown, so nothing is counted.
    for (const ticket of tickets) ticket.settle(undefined);
    reservation?.settle();
    await pauseAfter(limits, error);
    throw error;
  }
  for (const ticket of tickets) ticket.settle(raw.usage?.totalTokens);
  const usage = raw.usage === undefined ? undefined : toUsage(options.model, raw.usage);
  if (reservation !== undefined) reservation.settle(usage);
  else if (usage !== undefined) ctx.reportUsage?.(usage);
  if (raw.usage !== undefined && ctx.emit !== undefined) {
    const durationMs = performance.now() - started;
    const event: UsageEvent = { type: "openai.usage", model: raw.model || options.model, attempt, ...raw.usage, durationMs };
    ctx.emit(event);
  }
  return raw;
}

/** Holds back the call's estimate, when the caller counts usage; throws `BUDGET_EXCEEDED` when it does not fit. */
function reserve(model: string, estimate: ModelEstimate, ctx: CallContext): UsageReservation | undefined {
  return ctx.reserveUsage?.({ model, inputTokens: estimate.inputTokens ?? 0, outputTokens: estimate.outputTokens ?? 0 });
}

/** A call's usage as budgets count it; priced by the model asked for, as `budget.prices` names it. */
function toUsage(model: string, usage: TokenUsage): Usage {
  return { model, inputTokens: usage.promptTokens, outputTokens: usage.completionTokens, tokens: usage.totalTokens };
}

/** Sends the request and reads the answer, streamed or not. */
async function send(
  options: CallModelOptions<z.ZodType | undefined>,
  body: ChatCompletionCreateParams,
  call: { ctx: CallContext; requestOptions: { signal: AbortSignal } | undefined; attempt: number },
): Promise<RawAnswer> {
  const { ctx, requestOptions, attempt } = call;
  let raw: RawAnswer;
  if (options.stream === true) {
    const stream = await options.client.chat.completions.create(body as ChatCompletionCreateParams & { stream: true }, requestOptions);
    const accumulator = new ChunkAccumulator();
    for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
      const text = accumulator.add(chunk);
      if (text !== undefined && ctx.emit !== undefined) {
        const event: DeltaEvent = { type: "openai.delta", text, model: options.model, attempt };
        ctx.emit(event);
      }
    }
    raw = accumulator.result();
  } else {
    const completion = await options.client.chat.completions.create(
      body as ChatCompletionCreateParams & { stream?: false },
      requestOptions,
    );
    raw = fromCompletion(completion as ChatCompletion);
  }
  return raw;
}

function requestBody(options: CallModelOptions<z.ZodType | undefined>): ChatCompletionCreateParams {
  const body: Record<string, unknown> = {
    ...options.request,
    model: options.model,
    messages: [...options.messages],
  };
  if (options.tools !== undefined && options.tools.length > 0) {
    body.tools = options.tools.map((tool) => tool.definition);
  }
  if (options.schema !== undefined) {
    const { schema, strict } = toOpenAISchema(options.schema);
    body.response_format = {
      type: "json_schema",
      json_schema: { name: options.schemaName ?? "answer", schema, strict: options.strict ?? strict },
    };
  }
  if (options.stream === true) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body as unknown as ChatCompletionCreateParams;
}

function toAnswer<TSchema extends z.ZodType | undefined>(
  options: CallModelOptions<TSchema>,
  raw: RawAnswer,
): ModelAnswer<ParsedOf<TSchema>> {
  const details = { model: raw.model || options.model, finishReason: raw.finishReason, id: raw.id };
  if (!raw.hasChoice) {
    throw new ModelError("EMPTY_ANSWER", `Model "${options.model}" returned no choice.`, { details });
  }
  let parsed: unknown;
  if (options.schema !== undefined) {
    if (raw.refusal !== undefined && raw.refusal !== "") {
      throw new ModelError("REFUSAL", `Model "${options.model}" refused to answer: ${preview(raw.refusal)}`, {
        raw: raw.refusal,
        details,
      });
    }
    if (raw.toolCalls.length === 0) {
      if (raw.text === "") {
        throw new ModelError("EMPTY_ANSWER", `Model "${options.model}" gave an empty structured answer.`, { raw: "", details });
      }
      parsed = parseStructured(options.schema, raw.text, details);
    }
  }
  const message: ChatCompletionAssistantMessageParam = {
    role: "assistant",
    content: raw.text === "" && (raw.toolCalls.length > 0 || raw.refusal) ? null : raw.text,
    ...(raw.toolCalls.length > 0 ? { tool_calls: raw.toolCalls } : {}),
    ...(raw.refusal ? { refusal: raw.refusal } : {}),
  };
  return {
    text: raw.text,
    parsed: parsed as ParsedOf<TSchema>,
    message,
    toolCalls: raw.toolCalls,
    finishReason: raw.finishReason,
    usage: raw.usage,
    model: raw.model || options.model,
    id: raw.id,
  };
}
