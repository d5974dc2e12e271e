import { checkGuide, memoryOutput } from "@weft/example-shared";
import { describe, expect, it } from "vitest";
import { runVoting } from "./main.js";

describe("the voting example", () => {
  it("five judges vote the seed's labels and the majority wins with 80% confidence", async () => {
    const printed = memoryOutput();
    const run = await runVoting({ mode: "offline", latencyScale: 0.02, out: printed, tty: false });
    expect(run.votes.verdicts.map((v) => v.label)).toEqual(["positive", "positive", "negative", "positive", "positive"]);
    expect(run.votes.winner).toBe("positive");
    expect(run.votes.confidence).toBe(0.8);
    expect(run.votes.result).toBe("positive (confidence: 80%)");
    expect(printed.text()).toContain("   → positive (confidence: 80%)\n");
  });

  it("keeps the best-scoring of three candidates", async () => {
    const run = await runVoting({ mode: "offline", latencyScale: 0.02, out: memoryOutput(), tty: false });
    expect(run.picked.candidates.map((c) => [c.angle, c.score])).toEqual([
      ["playful", 6],
      ["technical", 7],
      ["benefit-first", 9],
    ]);
    expect(run.picked.best).toMatchObject({ angle: "benefit-first", score: 9 });
  });
});

describe("docs/guides/voting.md", () => {
  it("quotes the example's code as it is", async () => {
    const { quotes, drifted } = await checkGuide("voting");
    expect(quotes).toBeGreaterThan(0);
    expect(drifted).toEqual([]);
  });
});
