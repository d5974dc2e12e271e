import { appendList, END, Send, START, StateGraph } from "@weft/core";
import { judgeNode, tallyVotes, type ChatClient } from "@weft/openai";
import { z } from "zod";

export const LABELS = ["positive", "negative", "neutral"] as const;

/** Five judges read the same text, each with its own focus. */
export const JUDGES = [
  { name: "overall", focus: "Classify the overall sentiment of the text." },
  { name: "tone", focus: "Classify the sentiment of the writer's tone." },
  { name: "complaints", focus: "Classify by the problems the writer reports." },
  { name: "verdict", focus: "Classify by whether the writer would recommend the product." },
  { name: "ending", focus: "Classify by how the writer's experience ends." },
] as const;

const Verdict = z.object({ judge: z.string(), label: z.enum(LABELS), reason: z.string() });

export const VoteState = z.object({
  text: z.string(),
  /** One verdict per judge, in Send order. */
  verdicts: appendList(Verdict),
  winner: z.enum(LABELS).optional(),
  confidence: z.number().optional(),
  /** The format: `positive (confidence: 80%)`. */
  result: z.string().optional(),
});

const JudgeInput = z.object({ name: z.string(), focus: z.string(), text: z.string() });

/** Voting: one `judge` task per judge (Send), all at once; `tally` takes the majority. */
export function voteGraph({ client, model }: { client: ChatClient; model: string }) {
  return new StateGraph(VoteState, { name: "voting" })
    .addNode(
      "judge",
      judgeNode({
        client,
        model,
        labels: LABELS,
        messages: (judge: z.output<typeof JudgeInput>) => [{ role: "user", content: `${judge.focus}\n\nText:\n${judge.text}` }],
        output: (verdict, judge) => ({ verdicts: { judge: judge.name, ...verdict } }),
      }),
      { input: JudgeInput, retry: { maxAttempts: 2 }, timeoutMs: 60_000 },
    )
    .addNode("tally", (s) => {
      const vote = tallyVotes(s.verdicts.map((verdict) => verdict.label));
      return { winner: vote.winner, confidence: vote.confidence, result: vote.summary };
    })
    .addConditionalEdges(START, (s) => JUDGES.map((judge) => new Send("judge", { ...judge, text: s.text })), ["judge"])
    .addEdge("judge", "tally")
    .addEdge("tally", END)
    .compile();
}
