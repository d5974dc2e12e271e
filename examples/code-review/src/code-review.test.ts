import { checkGuide, memoryOutput } from "@weft/example-shared";
import { describe, expect, it } from "vitest";
import { runCodeReview } from "./main.js";

describe("the code-review example", () => {
  it("reports the failed Documentation reviewer and keeps the three other reviews", async () => {
    const printed = memoryOutput();
    const run = await runCodeReview({ mode: "offline", latencyScale: 0.05, out: printed, tty: false });

    expect(run.state.reviews.map((r) => [r.dimension, r.score])).toEqual([
      ["Security", 7],
      ["Performance", 8],
      ["Style", 6],
    ]);
    expect(run.parallel.failures).toMatchObject([{ node: "review", sendIndex: 3, attempts: 2, policy: "continue" }]);
    const text = printed.text();
    expect(text).toContain("  🔒 Security: 7/10 — No SQL injection risk, but input is not validated\n");
    expect(text).toContain("  ⏱️ Performance: 8/10 — Efficient algorithm, consider caching for repeated calls\n");
    expect(text).toContain("  🎨 Style: 6/10 — Missing type hints, inconsistent naming conventions\n");
    expect(text).toContain("  📝 Documentation: no review (the reviewer failed)\n");
    expect(text).toContain("  ❌ Documentation review failed after 2 attempts: 503 The server is overloaded.");
    expect(text).toContain("↻  Documentation review attempt 1 failed (503");
    expect(text).toMatch(/Total time: \d+\.\d\ds \(vs \d+\.\d\ds one after another\)/);
  });

  it("runs at most two reviewers at once, and one at a time when measured sequentially", async () => {
    const run = await runCodeReview({ mode: "offline", latencyScale: 0.05, out: memoryOutput(), tty: false });
    const peak = (outcome: typeof run.parallel) => {
      const spans = outcome.progress.views().filter((t) => t.node === "review");
      return Math.max(...spans.map((t) => spans.filter((o) => o.startedAt! <= t.startedAt! && o.endedAt! > t.startedAt!).length));
    };
    expect(peak(run.parallel)).toBe(2);
    expect(peak(run.sequential)).toBe(1);
    expect(run.sequential.state?.reviews).toEqual(run.state.reviews);
  });

  it("keeps all four reviews without the outage", async () => {
    const run = await runCodeReview({ mode: "offline", latencyScale: 0.02, outage: false, out: memoryOutput(), tty: false });
    expect(run.state.reviews.map((r) => r.dimension)).toEqual(["Security", "Performance", "Style", "Documentation"]);
    expect(run.parallel.failures).toEqual([]);
  });
});

describe("docs/guides/code-review.md", () => {
  it("quotes the example's code as it is", async () => {
    const { quotes, drifted } = await checkGuide("code-review");
    expect(quotes).toBeGreaterThan(0);
    expect(drifted).toEqual([]);
  });
});
