import { appendList, END, Send, START, StateGraph, type CompileOptions } from "@weft/core";
import { modelNode, type ChatClient } from "@weft/openai";
import { z } from "zod";

/** What the planner decides: the report's title and its sections, in reading order. */
export const Plan = z.object({
  title: z.string(),
  sections: z.array(z.object({ title: z.string(), brief: z.string() })),
});

export const ReportState = z.object({
  topic: z.string(),
  title: z.string().default(""),
  sections: Plan.shape.sections.default([]),
  /** One draft per writer, in Send order (= plan order), whatever order they finish in. */
  drafts: appendList(z.object({ title: z.string(), text: z.string() })),
  intro: z.string().default(""),
  report: z.string().default(""),
});
type ReportState = z.output<typeof ReportState>;

/** What one writer gets: its section, and the report it belongs to. */
export const WriterInput = z.object({ report: z.string(), title: z.string(), brief: z.string() });
type WriterInput = z.output<typeof WriterInput>;

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
 * sends one `write` task per section, and `assemble` asks for an introduction and joins the
 * drafts in plan order.
 */
export function reportGraph({ client, model, writers = 3, compile = {} }: ReportOptions) {
  return new StateGraph(ReportState, { name: "report" })
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
    .addNode(
      "write",
      modelNode({
        client,
        model,
        stream: true,
        messages: (section: WriterInput) => [
          {
            role: "system",
            content:
              "You write one section of a report in Markdown: two short paragraphs, " + "no heading (it is added for you), no preamble.",
          },
          { role: "user", content: `Report: ${section.report}\nSection: ${section.title}\nIt covers: ${section.brief}` },
        ],
        output: (answer, section) => ({ drafts: { title: section.title, text: answer.text.trim() } }),
      }),
      { input: WriterInput, concurrency: writers, retry: { maxAttempts: 3 }, timeoutMs: 120_000 },
    )
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
          report: [`# ${s.title}`, answer.text.trim(), ...s.drafts.map((draft, i) => `## ${i + 1}. ${draft.title}\n\n${draft.text}`)].join(
            "\n\n",
          ),
        }),
      }),
      { retry: { maxAttempts: 3 }, timeoutMs: 60_000 },
    )
    .addEdge(START, "plan")
    .addConditionalEdges("plan", (s) => s.sections.map((section) => new Send("write", { report: s.title, ...section })), ["write"])
    .addEdge("write", "assemble")
    .addEdge("assemble", END)
    .compile(compile);
}
