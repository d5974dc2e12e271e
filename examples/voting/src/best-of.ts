import { appendList, END, Send, START, StateGraph } from "@weft/core";
import { bestScore } from "@weft/core/aggregate";
import { callModel, type ChatClient } from "@weft/openai";
import { z } from "zod";

/** Three attempts at the same task, each from its own angle and temperature. */
export const ANGLES = [
  { angle: "playful", temperature: 1.0 },
  { angle: "technical", temperature: 0.4 },
  { angle: "benefit-first", temperature: 0.7 },
] as const;

const Score = z.object({ score: z.number().int().min(1).max(10), reason: z.string() });
const Candidate = z.object({ angle: z.string(), text: z.string(), score: z.number(), reason: z.string() });

export const BestOfState = z.object({
  product: z.string(),
  candidates: appendList(Candidate),
  best: Candidate.optional(),
});

const Attempt = z.object({ angle: z.string(), temperature: z.number(), product: z.string() });

/** Best score: each `candidate` task writes a tagline and has a judge score it; `pick` keeps the best. */
export function bestOfGraph({ client, model }: { client: ChatClient; model: string }) {
  return new StateGraph(BestOfState, { name: "best-of" })
    .addNode(
      "candidate",
      async ({ angle, temperature, product }, ctx) => {
        const draft = await callModel(
          {
            client,
            model,
            messages: [{ role: "user", content: `Write a one-line ${angle} tagline for: ${product}` }],
            request: { temperature },
          },
          ctx,
        );
        const text = draft.text.trim();
        const review = await callModel(
          {
            client,
            model,
            schema: Score,
            schemaName: "score",
            messages: [
              { role: "system", content: "You judge taglines: clear, specific, memorable. Score 1 to 10." },
              { role: "user", content: `Product: ${product}\nTagline: ${text}` },
            ],
          },
          ctx,
        );
        return { candidates: { angle, text, ...review.parsed } };
      },
      { input: Attempt, retry: { maxAttempts: 2 }, timeoutMs: 60_000 },
    )
    .addNode("pick", (s) => ({ best: bestScore(s.candidates, (candidate) => candidate.score) }))
    .addConditionalEdges(START, (s) => ANGLES.map((a) => new Send("candidate", { ...a, product: s.product })), ["candidate"])
    .addEdge("candidate", "pick")
    .addEdge("pick", END)
    .compile();
}
