import { exampleClient, output, runWithProgress, startExample, stateOf, timingSummary, type ExampleOptions } from "@weft/example-shared";
import { lastUserText, type ScriptedReply } from "@weft/openai/testing";
import { ANGLES, bestOfGraph } from "./best-of.js";
import { JUDGES, voteGraph } from "./vote.js";

export const REVIEW =
  "The battery easily lasts two days and the screen is gorgeous. The app crashed twice in the first week, " +
  "which was annoying, but an update fixed it. I'd buy it again.";
export const PRODUCT = "Weft, a typed workflow engine that runs an LLM agent's independent steps in parallel";

/** What each judge says offline: five votes, four positive and one negative. */
const VERDICTS: Readonly<Record<(typeof JUDGES)[number]["name"], { label: string; reason: string }>> = {
  overall: { label: "positive", reason: "Praise for battery and screen outweighs one fixed problem." },
  tone: { label: "positive", reason: "Warm and enthusiastic, with mild annoyance at most." },
  verdict: { label: "positive", reason: "The writer says they would buy it again." },
  complaints: { label: "negative", reason: "The app crashed twice in the first week." },
  ending: { label: "positive", reason: "An update fixed the crashes and the writer is satisfied." },
};

/** What the three attempts write offline, and how the judge scores them. */
const TAGLINES: Readonly<Record<(typeof ANGLES)[number]["angle"], { text: string; score: number; reason: string }>> = {
  playful: { text: "Why wait in line when your agents can cut it?", score: 6, reason: "Catchy, but vague about what the product does." },
  technical: {
    text: "Typed state graphs, parallel supersteps, deterministic merges.",
    score: 7,
    reason: "Precise, but reads like a spec sheet.",
  },
  "benefit-first": {
    text: "Your agent's slowest step, not the sum of them: parallel LLM workflows, typed end to end.",
    score: 9,
    reason: "States the benefit and the product in one line.",
  },
};

const REPLIES: readonly ScriptedReply[] = [
  ...JUDGES.map(
    (judge, i): ScriptedReply => ({
      match: (r) => lastUserText(r).startsWith(judge.focus),
      json: { reason: VERDICTS[judge.name].reason, label: VERDICTS[judge.name].label },
      latencyMs: 500 + 120 * ((i * 3) % 5),
      times: Infinity,
    }),
  ),
  ...ANGLES.flatMap(({ angle }, i): ScriptedReply[] => [
    {
      match: (r) => lastUserText(r).startsWith(`Write a one-line ${angle} tagline`),
      text: TAGLINES[angle].text,
      latencyMs: 600 + 150 * i,
      times: Infinity,
    },
    {
      match: (r) => lastUserText(r).endsWith(`Tagline: ${TAGLINES[angle].text}`),
      json: { score: TAGLINES[angle].score, reason: TAGLINES[angle].reason },
      latencyMs: 450,
      times: Infinity,
    },
  ]),
];

/** Runs both voting patterns: a majority of five judges, then the best of three scored attempts. */
export async function runVoting(options: ExampleOptions = {}) {
  const { print, progress } = output(options);
  const llm = await exampleClient({ replies: REPLIES, mode: options.mode, latencyScale: options.latencyScale });
  try {
    const votes = voteGraph({ client: llm.client, model: llm.model });
    const bestOf = bestOfGraph({ client: llm.client, model: llm.model });
    print("Weft voting: the same task several times, in parallel, and an aggregate that decides.");
    print(`(${llm.description})`);
    print();
    print(`1. Majority vote: ${JUDGES.length} judges classify this review.`);
    print(`   "${REVIEW}"`);
    const vote = await runWithProgress(
      votes,
      { text: REVIEW },
      {
        progress,
        label: (task) => (task.node === "judge" ? `judge #${task.sendIndex} (${JUDGES[task.sendIndex ?? 0]?.name})` : undefined),
      },
    );
    const voted = stateOf(vote);
    print();
    for (const verdict of voted.verdicts) print(`   ${verdict.judge.padEnd(10)} ${verdict.label.padEnd(8)} ${verdict.reason}`);
    print(`   → ${voted.result}`);
    print(`   ${timingSummary(vote)}`);
    print();

    print(`2. Best score: ${ANGLES.length} attempts at a tagline, each scored by a judge; the best one wins.`);
    const best = await runWithProgress(
      bestOf,
      { product: PRODUCT },
      {
        progress,
        label: (task) => (task.node === "candidate" ? `candidate #${task.sendIndex} (${ANGLES[task.sendIndex ?? 0]?.angle})` : undefined),
      },
    );
    const picked = stateOf(best);
    print();
    for (const c of picked.candidates) print(`   ${String(c.score).padStart(2)}/10  ${c.angle.padEnd(13)} "${c.text}"`);
    print(`   → best: "${picked.best?.text}" (${picked.best?.angle}, ${picked.best?.score}/10: ${picked.best?.reason})`);
    print(`   ${timingSummary(best)}`);
    return { vote, best, votes: voted, picked, voteGraph: votes, bestOfGraph: bestOf };
  } finally {
    await llm.close();
  }
}

startExample(import.meta.url, {}, async () => {
  const run = await runVoting();
  return [
    { name: "voting", graph: run.voteGraph, events: run.vote.events, labels: run.vote.progress.views(), title: "five judges, one vote" },
    { name: "best-of", graph: run.bestOfGraph, events: run.best.events, labels: run.best.progress.views(), title: "best of three" },
  ];
});
