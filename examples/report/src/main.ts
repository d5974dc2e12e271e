import { writeFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import {
  describeFiles,
  drawPictures,
  exampleArgs,
  exampleClient,
  isMain,
  runWithProgress,
  seconds,
  stateOf,
  timingSummary,
  type Output,
} from "@weft/example-shared";
import { reportGraph } from "./graph.js";
import { DEFAULT_TOPIC, genericReply, REPLIES } from "./replies.js";

const EXAMPLE_DIR = resolve(import.meta.dirname, "..");
const REPO_DIR = resolve(EXAMPLE_DIR, "../..");

/** What {@link runReport} takes; every option has a default for `pnpm demo`. */
export interface RunReportOptions {
  readonly topic?: string;
  /** Where progress and the summary go. Default `process.stdout`. */
  readonly out?: Output;
  /** Redraw progress lines in place. Default: when `out` is a terminal. */
  readonly tty?: boolean;
  /** `"auto"`: OpenAI when `OPENAI_API_KEY` is set, else the local test server. */
  readonly mode?: "auto" | "offline" | "openai";
  readonly latencyScale?: number;
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
  const out = options.out ?? process.stdout;
  const print = (text = ""): void => void out.write(`${text}\n`);
  const topic = options.topic ?? DEFAULT_TOPIC;
  const writers = options.writers ?? 3;
  const reportPath = options.reportPath ?? resolve(EXAMPLE_DIR, "report.md");
  const llm = await exampleClient({ replies: REPLIES, handler: genericReply, mode: options.mode, latencyScale: options.latencyScale });
  try {
    const graph = reportGraph({ client: llm.client, model: llm.model, writers });
    print(`Weft report demo (orchestrator-worker): "plan" asks a model for the sections, one "write" task`);
    print(`per section writes it (at most ${writers} at a time), "assemble" adds an introduction.`);
    print(`Topic: ${topic}`);
    print(`(${llm.description})`);
    print();
    const outcome = await runWithProgress(
      graph,
      { topic },
      {
        progress: { out, ...(options.tty === undefined ? {} : { tty: options.tty }) },
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

async function main(argv: readonly string[]): Promise<void> {
  const args = exampleArgs(argv, EXAMPLE_DIR, { topic: { type: "string" }, out: { type: "string" } });
  const topic = typeof args.values.topic === "string" ? args.values.topic : undefined;
  const out = typeof args.values.out === "string" ? resolve(process.cwd(), args.values.out) : undefined;
  const run = await runReport({ ...(topic === undefined ? {} : { topic }), ...(out === undefined ? {} : { reportPath: out }) });
  if (args.pictures !== undefined) {
    const drawn = await drawPictures({ dir: args.pictures, name: "report", graph: run.graph, events: run.outcome.events, title: "report run" });
    console.log(`\nPictures:\n${describeFiles(drawn)}`);
  }
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
