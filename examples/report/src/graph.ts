import { appendList, END, Send, START, StateGraph, type CompileOptions } from "@weft/core";
import { modelNode, type ChatClient } from "@weft/openai";
import { z } from "zod";

/** What the planner decides: the report's title and its sections, in reading order. */
export const Plan = z.object({
  title: z.string(),
  sections: z.array(z.object({ title: z.string(), brief: z.string() })),
});

/** One written section, as a writer hands it back. */
export const Draft = z.object({ title: z.string(), text: z.string() });

export const ReportState = z.object({
  topic: z.string(),
  title: z.string().default(""),
  sections: Plan.shape.sections.default([]),
  /** One draft per writer, in Send order (= plan order), whatever order they finish in. */
  drafts: appendList(Draft),
  intro: z.string().default(""),
  report: z.string().default(""),
});
type ReportState = z.output<typeof ReportState>;

/** A writer's own state: its section, then its draft, the critique of it, and the revised section. */
export const WriterState = z.object({
  report: z.string(),
  title: z.string(),
  brief: z.string(),
  draft: z.string().default(""),
  critique: z.string().default(""),
  drafts: appendList(Draft),
});
type WriterState = z.output<typeof WriterState>;
/** What one writer gets: its section, and the report it belongs to (what a Send to it carries). */
export const WriterInput = WriterState.pick({ report: true, title: true, brief: true });
/** What a writer gives back to the report: the revised section, appended to the report's `drafts`. */
export const WriterOutput = WriterState.pick({ drafts: true });

const section = (s: WriterState): string => `Report: ${s.report}\nSection: ${s.title}\nIt covers: ${s.brief}`;

/**
 * One section's writer, a graph of its own: `draft` writes the section, `critique` reviews the
 * draft, `revise` applies the critique. Its input and output schemas are what the report sees.
 */
export function writerGraph({ client, model }: { readonly client: ChatClient; readonly model: string }) {
  const call = { retry: { maxAttempts: 3 }, timeoutMs: 120_000 };
  return new StateGraph(WriterState, { name: "writer", input: WriterInput, output: WriterOutput })
    .addNode(
      "draft",
      modelNode({
        client,
        model,
        stream: true,
        messages: (s: WriterState) => [
          {
            role: "system",
            content: "You write one section of a report in Markdown: two short paragraphs, no heading (it is added for you), no preamble.",
          },
          { role: "user", content: section(s) },
        ],
        output: (answer) => ({ draft: answer.text.trim() }),
      }),
      call,
    )
    .addNode(
      "critique",
      modelNode({
        client,
        model,
        messages: (s: WriterState) => [
          {
            role: "system",
            content:
              "You review one section of a report: list at most three concrete improvements " +
              "(what is missing from its brief, what is unclear), one per line. No praise, no rewrite.",
          },
          { role: "user", content: `${section(s)}\n\nDraft:\n${s.draft}` },
        ],
        output: (answer) => ({ critique: answer.text.trim() }),
      }),
      call,
    )
    .addNode(
      "revise",
      modelNode({
        client,
        model,
        stream: true,
        messages: (s: WriterState) => [
          {
            role: "system",
            content:
              "You revise one section of a report: apply the review to the draft and return the whole section " +
              "in Markdown, two short paragraphs, no heading, no preamble.",
          },
          { role: "user", content: `${section(s)}\n\nDraft:\n${s.draft}\n\nReview:\n${s.critique}` },
        ],
        output: (answer, s) => ({ drafts: { title: s.title, text: answer.text.trim() } }),
      }),
      call,
    )
    .addEdge(START, "draft")
    .addEdge("draft", "critique")
    .addEdge("critique", "revise")
    .addEdge("revise", END)
    .compile();
}

export interface ReportOptions {
  readonly client: ChatClient;
  readonly model: string;
  /** At most this many writers at once. Default 3. */
  readonly writers?: number;
  /** Compile options: a checkpointer for threads, breakpoints. Default none. */
  readonly compile?: CompileOptions<"plan" | "write" | "assemble">;
}

/**
 * Orchestrator-worker: `plan` asks the model for the sections (structured output), a router
 * sends one `write` task per section to the writer subgraph (draft, critique, revise), and
 * `assemble` asks for an introduction and joins the sections in plan order.
 */
export function reportGraph({ client, model, writers = 3, compile = {} }: ReportOptions) {
  return (
    new StateGraph(ReportState, { name: "report" })
      .addNode(
        "plan",
        modelNode({
          client,
          model,
          schema: Plan,
          schemaName: "plan",
          messages: (s: ReportState) => [
            {
              role: "system",
              content:
                "You plan reports. Choose a title and 3 to 6 sections in reading order; " +
                "give each a title and a one-sentence brief of what it covers.",
            },
            { role: "user", content: `Topic: ${s.topic}` },
          ],
          output: ({ parsed }) => ({ title: parsed.title, sections: parsed.sections }),
        }),
        { retry: { maxAttempts: 3 }, timeoutMs: 60_000 },
      )
      // A compiled graph as a node: each Send runs one writer, at most `writers` at once.
      .addNode("write", writerGraph({ client, model }), { concurrency: writers, timeoutMs: 300_000 })
      .addNode(
        "assemble",
        modelNode({
          client,
          model,
          messages: (s: ReportState) => [
            {
              role: "system",
              content:
                "Write the introduction of a report: one paragraph that tells the reader what " +
                "the report covers and why it matters, drawing on its sections. No heading.",
            },
            { role: "user", content: `Report: ${s.title}\n\n${s.drafts.map((d) => `## ${d.title}\n${d.text}`).join("\n\n")}` },
          ],
          output: (answer, s) => ({
            intro: answer.text.trim(),
            report: [
              `# ${s.title}`,
              answer.text.trim(),
              ...s.drafts.map((draft, i) => `## ${i + 1}. ${draft.title}\n\n${draft.text}`),
            ].join("\n\n"),
          }),
        }),
        { retry: { maxAttempts: 3 }, timeoutMs: 60_000 },
      )
      .addEdge(START, "plan")
      .addConditionalEdges("plan", (s) => s.sections.map((section) => new Send("write", { report: s.title, ...section })), ["write"])
      .addEdge("write", "assemble")
      .addEdge("assemble", END)
      .compile(compile)
  );
}
