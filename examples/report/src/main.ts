import { writeFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import {
  exampleClient,
  output,
  runWithProgress,
  seconds,
  startExample,
  stateOf,
  timingSummary,
  type ExampleOptions,
} from "@weft/example-shared";
import { reportGraph } from "./graph.js";
import { DEFAULT_TOPIC, genericReply, REPLIES } from "./replies.js";

const EXAMPLE_DIR = resolve(import.meta.dirname, "..");
const REPO_DIR = resolve(EXAMPLE_DIR, "../..");

/** What {@link runReport} takes; every option has a default for `pnpm demo`. */
export interface RunReportOptions extends ExampleOptions {
  readonly topic?: string;
  /** Where to write the report; `false` for nowhere. Default `examples/report/report.md`. */
  readonly reportPath?: string | false;
  /** At most this many writers at once. Default 3. */
  readonly writers?: number;
}

/**
 * Runs the report demo end to end: plan, write every section in parallel, assemble, write
 * report.md, and print live progress and a summary.
 */
export async function runReport(options: RunReportOptions = {}) {
  const { print, progress } = output(options);
  const topic = options.topic ?? DEFAULT_TOPIC;
  const writers = options.writers ?? 3;
  const reportPath = options.reportPath ?? resolve(EXAMPLE_DIR, "report.md");
  const llm = await exampleClient({ replies: REPLIES, handler: genericReply, mode: options.mode, latencyScale: options.latencyScale });
  try {
    const graph = reportGraph({ client: llm.client, model: llm.model, writers });
    print(`Weft report demo (orchestrator-worker): "plan" asks a model for the sections, one "write" task`);
    print(`per section runs the writer subgraph, draft → critique → revise (at most ${writers} at a time),`);
    print(`"assemble" adds an introduction.`);
    print(`Topic: ${topic}`);
    print(`(${llm.description})`);
    print();
    const outcome = await runWithProgress(
      graph,
      { topic },
      {
        progress,
        // A writer is named by its section: Send #i carries the plan's section i.
        label: (task, state) =>
          task.node === "write" ? `write #${task.sendIndex} · ${state?.sections[task.sendIndex ?? 0]?.title}` : undefined,
      },
    );
    const state = stateOf(outcome);
    print();
    print(timingSummary(outcome));
    print();
    print(`📄 ${state.title}`);
    for (const [i, draft] of state.drafts.entries()) print(`   ${i + 1}. ${draft.title} (${words(draft.text)} words)`);
    if (reportPath !== false) {
      const footer = `---\n\n*Written by Weft's report example (${llm.mode === "offline" ? "offline, local test server" : llm.model}) in ${seconds(outcome.durationMs)}.*`;
      await writeFile(reportPath, `${state.report}\n\n${footer}\n`);
      print();
      print(`Wrote ${relative(REPO_DIR, reportPath)} (${words(state.report)} words).`);
    }
    return { state, outcome, graph, mode: llm.mode, reportPath, requests: llm.server?.requests ?? [] };
  } finally {
    await llm.close();
  }
}

function words(text: string): number {
  return text.split(/\s+/).filter((word) => word !== "").length;
}

startExample(import.meta.url, { topic: { type: "string" }, out: { type: "string" } }, async ({ values }) => {
  const { graph, outcome } = await runReport({
    ...(typeof values.topic === "string" ? { topic: values.topic } : {}),
    ...(typeof values.out === "string" ? { reportPath: resolve(process.cwd(), values.out) } : {}),
  });
  return [
    {
      name: "report",
      // `write` runs the writer subgraph: the diagram draws it as a box holding that graph, and
      // the timeline draws each writer's draft, critique and revise under its section's bar.
      graph,
      events: outcome.events,
      labels: outcome.progress.views(),
      title: "report run",
    },
  ];
});
