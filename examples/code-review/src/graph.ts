import { appendList, END, Send, START, StateGraph } from "@weft/core";
import { modelNode, type ChatClient } from "@weft/openai";
import { z } from "zod";

/** The reviewers: one dimension each, with what it looks at. */
export const DIMENSIONS = [
  { dimension: "Security", icon: "🔒", focus: "Input validation, injection, secrets, auth" },
  { dimension: "Performance", icon: "⏱️", focus: "Algorithm efficiency, caching, memory usage" },
  { dimension: "Style", icon: "🎨", focus: "PEP 8, type hints, naming" },
  { dimension: "Documentation", icon: "📝", focus: "Docstrings, comments, usage examples" },
] as const;

/** What every reviewer must answer (structured output, validated before it is committed). */
export const Review = z.object({
  score: z.number().int().min(1).max(10),
  findings: z.array(z.string()),
  summary: z.string(),
});

export const ReviewState = z.object({
  code: z.string(),
  reviews: appendList(Review.extend({ dimension: z.string() })),
  report: z.string().optional(),
});

const Reviewer = z.object({ dimension: z.string(), focus: z.string(), code: z.string() });
type Reviewer = z.output<typeof Reviewer>;

/** One reviewer: its dimension, an icon for the report, and what it looks at. */
export type Dimension = (typeof DIMENSIONS)[number];

/** Options of {@link reviewGraph}. */
export interface ReviewGraphOptions {
  readonly client: ChatClient;
  readonly model: string;
  /** The reviewers, in report order. Default: all four {@link DIMENSIONS}. */
  readonly dimensions?: readonly Dimension[];
  /** At most this many model calls at once; all at once when left out. */
  readonly concurrency?: number;
}

/**
 * One `review` task per dimension (Send); a reviewer that still fails after a retry is
 * recorded (`onError: "continue"`) and the others are kept.
 */
export function reviewGraph({ client, model, dimensions = DIMENSIONS, concurrency }: ReviewGraphOptions) {
  return new StateGraph(ReviewState, { name: "code-review" })
    .addNode(
      "review",
      modelNode({
        client,
        model,
        schema: Review,
        schemaName: "review",
        messages: (r: Reviewer) => [
          {
            role: "system",
            content:
              `You are a code reviewer focused exclusively on ${r.dimension}. Focus: ${r.focus}. ` +
              "Give a score from 1 to 10, your findings, and a one-line summary.",
          },
          { role: "user", content: `Review this code:\n\`\`\`python\n${r.code}\n\`\`\`` },
        ],
        output: ({ parsed }, r) => ({ reviews: { dimension: r.dimension, ...parsed } }),
      }),
      {
        input: Reviewer,
        ...(concurrency === undefined ? {} : { concurrency }),
        timeoutMs: 30_000,
        retry: { maxAttempts: 2, backoff: { initialMs: 200 } },
        onError: "continue",
      },
    )
    .addNode("report", (s) => ({
      report: [
        "Code Review Report:",
        ...dimensions.map(({ dimension, icon }) => {
          const review = s.reviews.find((r) => r.dimension === dimension);
          if (review === undefined) return `  ${icon} ${dimension}: no review (the reviewer failed)`;
          return [`  ${icon} ${dimension}: ${review.score}/10 — ${review.summary}`, ...review.findings.map((f) => `       - ${f}`)].join(
            "\n",
          );
        }),
      ].join("\n"),
    }))
    .addConditionalEdges(START, (s) => dimensions.map(({ dimension, focus }) => new Send("review", { dimension, focus, code: s.code })), [
      "review",
    ])
    .addEdge("review", "report")
    .addEdge("report", END)
    .compile();
}

/**
 * How the progress display and the timeline name a task: a review by its reviewer
 * ("Security review"), anything else by its node.
 */
export function reviewerLabel(dimensions: readonly Dimension[] = DIMENSIONS) {
  return (task: { readonly node: string; readonly sendIndex?: number | undefined }): string | undefined =>
    task.node === "review" ? `${dimensions[task.sendIndex ?? 0]?.dimension} review` : undefined;
}
