import {
  exampleClient,
  memoryOutput,
  message,
  output,
  runWithProgress,
  seconds,
  startExample,
  stateOf,
  type ExampleOptions,
} from "@weft/example-shared";
import type { ScriptedReply } from "@weft/openai/testing";
import { DIMENSIONS, reviewerLabel, reviewGraph } from "./graph.js";

/** The snippet under review. */
export const CODE = `def process_data(data):
    result = []
    for item in data:
        if item > 0:
            result.append(item * 2)
    return result`;

/** The reviewer that fails: its model calls meet an outage (HTTP 503), on every attempt. */
export const FAILING = "Documentation";

/** What each reviewer answers offline, after a realistic delay. */
const ANSWERS: Readonly<Record<string, { latencyMs: number; score: number; findings: string[]; summary: string }>> = {
  Security: {
    latencyMs: 400,
    score: 7,
    findings: [
      "No SQL, shell or file access, so no injection risk",
      "Input is not validated: a non-iterable or non-numeric item raises a TypeError at run time",
    ],
    summary: "No SQL injection risk, but input is not validated",
  },
  Performance: {
    latencyMs: 500,
    score: 8,
    findings: ["One O(n) pass with O(n) extra memory", "Consider caching for repeated calls with the same data"],
    summary: "Efficient algorithm, consider caching for repeated calls",
  },
  Style: {
    latencyMs: 300,
    score: 6,
    findings: [
      "No type hints on the parameter or the return value",
      "Generic names (data, result, item) do not say what is processed",
      "The loop reads better as a list comprehension",
    ],
    summary: "Missing type hints, inconsistent naming conventions",
  },
  Documentation: {
    latencyMs: 350,
    score: 3,
    findings: ["No docstring", "Nothing says why non-positive items are dropped"],
    summary: "Undocumented: add a docstring with an example",
  },
};

const reviewerOf = (system: unknown): string | undefined => /focused exclusively on (\w+)/.exec(String(system))?.[1];

const REPLIES: readonly ScriptedReply[] = Object.entries(ANSWERS).map(([dimension, { latencyMs, ...review }]) => ({
  match: (r) => reviewerOf(r.body.messages[0]?.content) === dimension,
  json: review,
  latencyMs,
  times: Infinity,
}));

/** The three reviewers of the first part; the fourth, Documentation, joins in the second. */
export const FIRST_THREE = DIMENSIONS.slice(0, 3);

/**
 * The exercise in two parts. First three reviewers (security, performance, style) all at once,
 * timed against the same reviews one after another. Then the documentation reviewer joins,
 * with at most two model calls at a time; its calls meet an outage (unless `outage: false`),
 * so it fails after a retry and the three other reviews are kept.
 */
export async function runCodeReview(options: ExampleOptions & { outage?: boolean } = {}) {
  const { print, progress } = output(options);
  const outage = options.outage ?? true;
  const llm = await exampleClient({
    replies: REPLIES,
    mode: options.mode,
    latencyScale: options.latencyScale,
    ...(outage ? { outage: { when: (body) => reviewerOf(body.messages[0]?.content) === FAILING } } : {}),
  });
  try {
    print("Weft code review: one reviewer per dimension, in parallel.");
    print(`(${llm.description}${outage ? `; the ${FAILING} reviewer meets a simulated outage` : ""})`);
    print();

    const three = reviewGraph({ client: llm.client, model: llm.model, dimensions: FIRST_THREE });
    print(`Running ${FIRST_THREE.length} reviews at once...`);
    const parallel = await runWithProgress(three, { code: CODE }, { progress, label: reviewerLabel(FIRST_THREE) });
    // The same graph, one task at a time: what the reviews cost without parallelism.
    const sequential = await runWithProgress(
      three,
      { code: CODE },
      {
        progress: { out: memoryOutput() },
        label: reviewerLabel(FIRST_THREE),
        run: { maxConcurrency: 1 },
      },
    );
    print(`Total time: ${seconds(parallel.durationMs)} (vs ${seconds(sequential.durationMs)} one after another)`);
    print();
    print(stateOf(parallel).report);
    print();

    const graph = reviewGraph({ client: llm.client, model: llm.model, concurrency: 2 });
    print(`Adding the ${FAILING} reviewer: ${DIMENSIONS.length} reviews, at most 2 model calls at a time...`);
    const capped = await runWithProgress(graph, { code: CODE }, { progress, label: reviewerLabel() });
    const state = stateOf(capped);
    print(`Total time: ${seconds(capped.durationMs)}`);
    print();
    print(state.report);
    for (const failure of capped.failures) {
      const dimension = DIMENSIONS[failure.sendIndex ?? 0]?.dimension;
      print(`  ❌ ${dimension} review failed after ${failure.attempts} attempts: ${message(failure.error)}`);
    }
    print(`${state.reviews.length} of ${DIMENSIONS.length} reviews kept; ${capped.failures.length} failed.`);
    return { state, three: { graph: three, parallel, sequential }, capped, graph, requests: llm.server?.requests ?? [] };
  } finally {
    await llm.close();
  }
}

startExample(import.meta.url, { healthy: { type: "boolean" } }, async ({ values }) => {
  const run = await runCodeReview({ outage: values.healthy !== true });
  return [
    {
      name: "code-review",
      graph: run.graph,
      events: run.capped.events,
      labels: run.capped.progress.views(),
      title: "four reviewers, at most two at a time",
    },
    {
      name: "code-review-three",
      events: run.three.parallel.events,
      labels: run.three.parallel.progress.views(),
      title: "three reviewers at once",
    },
    {
      name: "code-review-sequential",
      events: run.three.sequential.events,
      labels: run.three.sequential.progress.views(),
      title: "the same three reviews, one after another",
    },
  ];
});
