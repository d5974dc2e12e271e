import type { NodeContext } from "@weft/core";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { callModel } from "../model/call-model.js";
import { resolve, type FromInput } from "../model/model-node.js";
import type { CallContext, ChatClient, ModelAnswer, ModelRequest } from "../model/types.js";

/**
 * The default system prompt of {@link synthesize}.
 *
 * @example
 * ```ts
 * synthesize({ client, model, query, results, instructions: `${SYNTHESIS_INSTRUCTIONS} Use bullet points.` });
 * ```
 */
export const SYNTHESIS_INSTRUCTIONS = "Synthesize the following results into a coherent response.";

/**
 * What {@link synthesize} takes.
 *
 * @example
 * ```ts
 * const options: SynthesizeOptions = { client, model: "gpt-4o-mini", query: "AI agents", results: ["a", "b"] };
 * ```
 */
export interface SynthesizeOptions {
  readonly client: ChatClient;
  readonly model: string;
  /** The question the results answer. */
  readonly query: string;
  /** The results to combine, in order. */
  readonly results: readonly string[];
  /** The system prompt. Default {@link SYNTHESIS_INSTRUCTIONS}. */
  readonly instructions?: string;
  /** Between results. Default `"\n---\n"`. */
  readonly separator?: string;
  /** Stream the answer as `openai.delta` events. */
  readonly stream?: boolean;
  readonly request?: ModelRequest;
}

/**
 * The messages of a synthesis request: the instructions, then the query and the results.
 *
 * @example
 * ```ts
 * synthesisMessages({ query: "AI agents", results: ["a", "b"] });
 * // [{ role: "system", … }, { role: "user", content: "Query: AI agents\n\nResults:\na\n---\nb" }]
 * ```
 */
export function synthesisMessages(options: {
  query: string;
  results: readonly string[];
  instructions?: string;
  separator?: string;
}): ChatCompletionMessageParam[] {
  const combined = options.results.join(options.separator ?? "\n---\n");
  return [
    { role: "system", content: options.instructions ?? SYNTHESIS_INSTRUCTIONS },
    { role: "user", content: `Query: ${options.query}\n\nResults:\n${combined}` },
  ];
}

/**
 * Aggregates parallel results by asking a model to combine them into one coherent answer.
 *
 * @example
 * ```ts
 * const answer = await synthesize({ client, model: "gpt-4o-mini", query: "AI agents", results }, ctx);
 * return { finalReport: answer.text };
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export function synthesize(options: SynthesizeOptions, ctx: CallContext = {}): Promise<ModelAnswer> {
  return callModel(
    {
      client: options.client,
      model: options.model,
      messages: synthesisMessages(options),
      ...(options.stream === undefined ? {} : { stream: options.stream }),
      ...(options.request === undefined ? {} : { request: options.request }),
    },
    ctx,
  );
}

/**
 * What {@link synthesisNode} takes.
 *
 * @example
 * ```ts
 * const options: SynthesisNodeOptions<State, { report: string }> = {
 *   client,
 *   model: "gpt-4o-mini",
 *   query: (s) => s.topic,
 *   results: (s) => s.results,
 *   output: (text) => ({ report: text }),
 * };
 * ```
 */
export interface SynthesisNodeOptions<TInput, TUpdate> {
  readonly client: ChatClient;
  readonly model: FromInput<TInput, string>;
  /** The question the results answer, from the input. */
  readonly query: (input: TInput) => string;
  /** The results to combine, from the input (typically an append list filled by a fan-out). */
  readonly results: (input: TInput) => readonly string[];
  readonly instructions?: string;
  readonly separator?: string;
  readonly stream?: boolean;
  readonly request?: ModelRequest;
  /** Turns the synthesized text into the node's update. */
  readonly output: (text: string, input: TInput) => TUpdate;
}

/**
 * A fan-in node that synthesizes the results of parallel branches with a model.
 *
 * @example
 * ```ts
 * builder.addNode(
 *   "synthesize",
 *   synthesisNode({
 *     client,
 *     model: "gpt-4o-mini",
 *     query: (s: { topic: string; results: string[] }) => s.topic,
 *     results: (s) => s.results,
 *     output: (text) => ({ finalReport: text }),
 *   }),
 * );
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export function synthesisNode<TInput, TUpdate>(
  options: SynthesisNodeOptions<TInput, TUpdate>,
): (input: TInput, ctx: NodeContext) => Promise<TUpdate> {
  return async (input, ctx) => {
    const answer = await synthesize(
      {
        client: options.client,
        model: resolve(options.model, input),
        query: options.query(input),
        results: options.results(input),
        ...(options.instructions === undefined ? {} : { instructions: options.instructions }),
        ...(options.separator === undefined ? {} : { separator: options.separator }),
        ...(options.stream === undefined ? {} : { stream: options.stream }),
        ...(options.request === undefined ? {} : { request: options.request }),
      },
      ctx,
    );
    return options.output(answer.text, input);
  };
}
