import type { NodeContext, RateLimit } from "@weft/core";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { z } from "zod";
import type { Tool } from "../tools/tool.js";
import { callModel, type ParsedOf } from "./call-model.js";
import type { CallModelOptions } from "./call-model.js";
import type { ChatClient, ModelAnswer, ModelRequest } from "./types.js";
import type { ModelEstimate } from "./estimate.js";

/**
 * A value, or a function of the node's input that gives it.
 *
 * @example
 * ```ts
 * const model: FromInput<{ judge: number }, string> = ({ judge }) => (judge === 0 ? "gpt-4o" : "gpt-4o-mini");
 * ```
 */
export type FromInput<TInput, T> = T | ((input: TInput) => T);

/**
 * What {@link modelNode} takes.
 *
 * @example
 * ```ts
 * const options: ModelNodeOptions<State, { answer: string }, undefined> = {
 *   client,
 *   model: "gpt-4o-mini",
 *   messages: (s) => [{ role: "user", content: s.question }],
 *   output: (answer) => ({ answer: answer.text }),
 * };
 * ```
 */
export interface ModelNodeOptions<TInput, TUpdate, TSchema extends z.ZodType | undefined> {
  readonly client: ChatClient;
  /** The model, or a function of the input choosing it (e.g. one model per judge). */
  readonly model: FromInput<TInput, string>;
  /** The conversation to send, built from the node's input (the state, or a Send's input). */
  readonly messages: (input: TInput) => readonly ChatCompletionMessageParam[] | Promise<readonly ChatCompletionMessageParam[]>;
  /** Ask for structured output; the answer is validated and given as `answer.parsed`. */
  readonly schema?: TSchema;
  /** The `json_schema.name` sent with a schema. Default `"answer"`. */
  readonly schemaName?: string;
  /** OpenAI strict mode for the schema. Default: on when the schema allows it. */
  readonly strict?: boolean;
  /** Tools the model may call; run them with a `toolNode`. */
  readonly tools?: readonly Tool[];
  /** Stream the answer as `openai.delta` events tagged with this task. */
  readonly stream?: boolean;
  /** Extra request parameters (`temperature`, `tool_choice`…), fixed or from the input. */
  readonly request?: FromInput<TInput, ModelRequest>;
  /** Provider rate limits each call waits its turn at, just before it goes; see {@link CallModelOptions.rateLimit}. */
  readonly rateLimit?: RateLimit | readonly RateLimit[];
  /**
   * What a call is expected to use, fixed or from the input: checked against the run's budgets
   * before it starts and counted at its rate limits (see {@link CallModelOptions.estimate});
   * default: the messages' text at about four characters a token, plus `max_completion_tokens`.
   */
  readonly estimate?: FromInput<TInput, ModelEstimate>;
  /**
   * Turns the answer into the node's update. `answer.parsed` is the validated structured output
   * (undefined only when the model called tools instead of answering).
   */
  readonly output: (answer: ModelAnswer<ParsedOf<TSchema>>, input: TInput) => TUpdate;
}

/**
 * A node that asks a model: messages from the input, optional structured output, abort through
 * `ctx.signal`, usage (and streamed text) reported as custom events of its task and counted
 * against the run's budgets (`ctx.reportUsage`). A malformed
 * structured answer throws a {@link ModelError}, which the node's `retry` policy retries.
 *
 * @example
 * ```ts
 * const Sentiment = z.object({ label: z.enum(["positive", "negative"]) });
 * const graph = new StateGraph(z.object({ text: z.string(), label: z.string().optional() }))
 *   .addNode(
 *     "classify",
 *     modelNode({
 *       client,
 *       model: "gpt-4o-mini",
 *       messages: (s: { text: string }) => [{ role: "user", content: `Classify: ${s.text}` }],
 *       schema: Sentiment,
 *       output: (answer) => ({ label: answer.parsed.label }),
 *     }),
 *     { retry: { maxAttempts: 3 } },
 *   )
 *   .addEdge(START, "classify")
 *   .addEdge("classify", END)
 *   .compile();
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export function modelNode<TInput, TUpdate, TSchema extends z.ZodType | undefined = undefined>(
  options: ModelNodeOptions<TInput, TUpdate, TSchema>,
): (input: TInput, ctx: NodeContext) => Promise<TUpdate> {
  return async (input, ctx) => {
    const answer = await callModel<TSchema>(
      {
        client: options.client,
        model: resolve(options.model, input),
        messages: await options.messages(input),
        ...(options.schema === undefined ? {} : { schema: options.schema }),
        ...(options.schemaName === undefined ? {} : { schemaName: options.schemaName }),
        ...(options.strict === undefined ? {} : { strict: options.strict }),
        ...(options.tools === undefined ? {} : { tools: options.tools }),
        ...(options.stream === undefined ? {} : { stream: options.stream }),
        ...(options.request === undefined ? {} : { request: resolve(options.request, input) }),
        ...(options.estimate === undefined ? {} : { estimate: resolve(options.estimate, input) }),
        ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
      },
      ctx,
    );
    return options.output(answer, input);
  };
}

/** A {@link FromInput} value for this input. */
export function resolve<TInput, T>(value: FromInput<TInput, T>, input: TInput): T {
  return typeof value === "function" ? (value as (input: TInput) => T)(input) : value;
}
