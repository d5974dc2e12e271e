import { appendList, END, Send, START, StateGraph, type NodeContext } from "@weft/core";
import { formatVote, majorityVote, type Vote } from "@weft/core/aggregate";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { z } from "zod";
import { modelNode, type FromInput } from "../model/model-node.js";
import type { ChatClient, ModelRequest } from "../model/types.js";

/**
 * The labels a judge may give: a non-empty list of strings.
 *
 * @example
 * ```ts
 * const labels = ["positive", "negative"] as const satisfies Labels;
 * ```
 */
export type Labels = readonly [string, ...string[]];

/**
 * One judge's verdict: a label and the reason for it.
 *
 * @example
 * ```ts
 * const verdict: Verdict<"yes" | "no"> = { label: "yes", reason: "The source confirms it." };
 * ```
 */
export interface Verdict<TLabel extends string = string> {
  readonly label: TLabel;
  readonly reason: string;
}

/**
 * The structured output a judge gives: the reason first (so the model thinks before it
 * labels), then one of the labels.
 *
 * @example
 * ```ts
 * const Sentiment = verdictSchema(["positive", "negative"]);
 * type Sentiment = z.output<typeof Sentiment>; // { reason: string; label: "positive" | "negative" }
 * ```
 */
export function verdictSchema<const TLabels extends Labels>(labels: TLabels) {
  return z.object({ reason: z.string(), label: z.enum(labels) });
}

/**
 * What {@link judgeNode} takes.
 *
 * @example
 * ```ts
 * const options: JudgeNodeOptions<readonly ["yes", "no"], { claim: string }, { votes: "yes" | "no" }> = {
 *   client,
 *   model: "gpt-4o-mini",
 *   labels: ["yes", "no"],
 *   messages: (input) => [{ role: "user", content: input.claim }],
 *   output: (verdict) => ({ votes: verdict.label }),
 * };
 * ```
 */
export interface JudgeNodeOptions<TLabels extends Labels, TInput, TUpdate> {
  readonly client: ChatClient;
  /** The model, or a function of the input (one model per judge). */
  readonly model: FromInput<TInput, string>;
  readonly labels: TLabels;
  /** What the judge reads, from its input. */
  readonly messages: (input: TInput) => readonly ChatCompletionMessageParam[];
  readonly request?: FromInput<TInput, ModelRequest>;
  /** Turns the verdict into the node's update, e.g. `{ verdicts: verdict }` on an append list. */
  readonly output: (verdict: Verdict<TLabels[number]>, input: TInput) => TUpdate;
}

/**
 * An LLM-as-judge node: asks for a structured verdict, one of `labels` with a reason. Run N of
 * them with {@link sendToJudges} and count the verdicts with {@link tallyVotes}.
 *
 * @example
 * ```ts
 * builder.addNode(
 *   "judge",
 *   judgeNode({
 *     client,
 *     model: "gpt-4o-mini",
 *     labels: ["positive", "negative"],
 *     messages: (input: { text: string }) => [{ role: "user", content: `Sentiment of: ${input.text}` }],
 *     output: (verdict) => ({ votes: verdict.label }),
 *   }),
 *   { input: z.object({ judge: z.number(), text: z.string() }), retry: { maxAttempts: 2 } },
 * );
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export function judgeNode<const TLabels extends Labels, TInput, TUpdate>(
  options: JudgeNodeOptions<TLabels, TInput, TUpdate>,
): (input: TInput, ctx: NodeContext) => Promise<TUpdate> {
  const labels = options.labels.map((label) => JSON.stringify(label)).join(", ");
  return modelNode({
    client: options.client,
    model: options.model,
    schema: verdictSchema(options.labels),
    schemaName: "verdict",
    messages: (input: TInput) => [
      { role: "system", content: `You are a judge. Give a short reason, then exactly one label of: ${labels}.` },
      ...options.messages(input),
    ],
    ...(options.request === undefined ? {} : { request: options.request }),
    output: (answer, input) => options.output(answer.parsed as Verdict<TLabels[number]>, input),
  });
}

/**
 * One `Send` per judge: `count` tasks of `node` run concurrently, judge `i` with `input(i)`.
 *
 * @example
 * ```ts
 * builder.addConditionalEdges(START, (s) => sendToJudges("judge", 5, (judge) => ({ judge, text: s.text })), ["judge"]);
 * ```
 */
export function sendToJudges<const TNode extends string, TInput>(
  node: TNode,
  count: number,
  input: (judge: number) => TInput,
): Send<TNode, TInput>[] {
  return Array.from({ length: count }, (_, judge) => new Send(node, input(judge)));
}

/**
 * A {@link Vote} with its one-line summary, e.g. `"positive (confidence: 80%)"`.
 *
 * @example
 * ```ts
 * const report: VoteReport<string> = tallyVotes(["a", "a", "b"]); // report.summary: "a (confidence: 67%)"
 * ```
 */
export interface VoteReport<T> extends Vote<T> {
  readonly summary: string;
}

/**
 * Counts judges' labels (or verdicts) with core's `majorityVote`: the winner, its confidence
 * and a summary line. Ties go to the label voted first, which Weft keeps in Send order.
 *
 * @example
 * ```ts
 * tallyVotes(["positive", "positive", "negative", "positive", "positive"]).summary;
 * // "positive (confidence: 80%)"
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export function tallyVotes<TLabel extends string>(votes: readonly (TLabel | Verdict<TLabel>)[]): VoteReport<TLabel> {
  const labels = votes.map((vote) => (typeof vote === "string" ? vote : vote.label));
  const vote = majorityVote(labels);
  return { ...vote, summary: formatVote(vote) };
}

/**
 * The state of a {@link judgePanel}: the text to judge, the verdicts in judge order, and the
 * outcome of the vote.
 *
 * @example
 * ```ts
 * const State = judgePanelState(["positive", "negative"]);
 * ```
 */
export function judgePanelState<const TLabels extends Labels>(labels: TLabels) {
  return z.object({
    text: z.string(),
    verdicts: appendList(verdictSchema(labels)),
    winner: z.enum(labels).optional(),
    confidence: z.number().optional(),
    summary: z.string().optional(),
  });
}

/**
 * What {@link judgePanel} takes.
 *
 * @example
 * ```ts
 * const options: JudgePanelOptions<readonly ["positive", "negative"]> = {
 *   client,
 *   model: "gpt-4o-mini",
 *   labels: ["positive", "negative"],
 *   judges: 5,
 *   instructions: "Classify the sentiment of the text.",
 * };
 * ```
 */
export interface JudgePanelOptions<TLabels extends Labels> {
  readonly client: ChatClient;
  /** The model, or one per judge (`(judge) => model`). */
  readonly model: string | ((judge: number) => string);
  readonly labels: TLabels;
  /** How many judges. */
  readonly judges: number;
  /** What the judges are asked, before the text; may vary per judge. */
  readonly instructions: string | ((judge: number) => string);
  readonly request?: ModelRequest;
  /** Attempts per judge (a malformed verdict is asked again). Default 2. */
  readonly maxAttempts?: number;
  readonly name?: string;
}

/**
 * A prebuilt voting graph: `judges` LLM judges label the text concurrently (one `Send` each),
 * then `tally` reports the majority with its confidence, e.g. `"positive (confidence: 80%)"`.
 *
 * @example
 * ```ts
 * const panel = judgePanel({
 *   client,
 *   model: "gpt-4o-mini",
 *   labels: ["positive", "negative"],
 *   judges: 5,
 *   instructions: "Classify the sentiment of the text.",
 * }).compile();
 * const { summary } = await panel.invoke({ text: "I love this library" });
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export function judgePanel<const TLabels extends Labels>(options: JudgePanelOptions<TLabels>) {
  const State = judgePanelState(options.labels);
  const JudgeInput = z.object({ judge: z.number().int().nonnegative(), text: z.string() });
  const pick = <T>(value: T | ((judge: number) => T), judge: number): T =>
    typeof value === "function" ? (value as (judge: number) => T)(judge) : value;
  return new StateGraph(State, { name: options.name ?? "judge-panel" })
    .addNode(
      "judge",
      judgeNode({
        client: options.client,
        model: ({ judge }: z.output<typeof JudgeInput>) => pick(options.model, judge),
        labels: options.labels,
        messages: ({ judge, text }) => [{ role: "user", content: `${pick(options.instructions, judge)}\n\nText:\n${text}` }],
        ...(options.request === undefined ? {} : { request: options.request }),
        output: (verdict) => ({ verdicts: verdict }),
      }),
      { input: JudgeInput, retry: { maxAttempts: options.maxAttempts ?? 2 } },
    )
    .addNode("tally", (state) => {
      const report = tallyVotes(state.verdicts as Verdict<TLabels[number]>[]);
      return { winner: report.winner, confidence: report.confidence, summary: report.summary };
    })
    .addConditionalEdges(START, (state) => sendToJudges("judge", options.judges, (judge) => ({ judge, text: state.text })), ["judge"])
    .addEdge("judge", "tally")
    .addEdge("tally", END);
}
