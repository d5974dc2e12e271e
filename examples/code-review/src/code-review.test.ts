import { execFile } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startTestServer } from "@weft/openai/testing";
import { checkGuide, drawPictures, memoryOutput } from "@weft/example-shared";
import { describe, expect, it } from "vitest";
import { runCodeReview } from "./main.js";

describe("the code-review example", () => {
  it("runs three reviewers at once, then with the failing Documentation reviewer keeps the three other reviews", async () => {
    const printed = memoryOutput();
    const run = await runCodeReview({ mode: "offline", latencyScale: 0.05, out: printed, tty: false });

    expect(run.three.parallel.state?.reviews.map((r) => r.dimension)).toEqual(["Security", "Performance", "Style"]);
    expect(run.state.reviews.map((r) => [r.dimension, r.score])).toEqual([
      ["Security", 7],
      ["Performance", 8],
      ["Style", 6],
    ]);
    expect(run.capped.failures).toMatchObject([{ node: "review", sendIndex: 3, attempts: 2, policy: "continue" }]);
    const text = printed.text();
    expect(text).toContain("Running 3 reviews at once...\n");
    expect(text).toMatch(/Total time: \d+\.\d\ds \(vs \d+\.\d\ds one after another\)\n/);
    expect(text).toContain("Adding the Documentation reviewer: 4 reviews, at most 2 model calls at a time...\n");
    expect(text).toContain("  🔒 Security: 7/10 — No SQL injection risk, but input is not validated\n");
    expect(text).toContain("  ⏱️ Performance: 8/10 — Efficient algorithm, consider caching for repeated calls\n");
    expect(text).toContain("  🎨 Style: 6/10 — Missing type hints, inconsistent naming conventions\n");
    expect(text).toContain("  📝 Documentation: no review (the reviewer failed)\n");
    expect(text).toContain("  ❌ Documentation review failed after 2 attempts: 503 The server is overloaded.");
    expect(text).toContain("↻  Documentation review attempt 1 failed (503");
    // The first part's report has no Documentation line: that reviewer is not there yet.
    const firstPart = text.slice(text.indexOf("Running 3 reviews at once"), text.indexOf("Adding the Documentation reviewer"));
    expect(firstPart).not.toContain("Documentation");
  });

  it("runs the three at once, one at a time when measured sequentially, and the four at most two at a time", async () => {
    const run = await runCodeReview({ mode: "offline", latencyScale: 0.05, out: memoryOutput(), tty: false });
    const peak = (outcome: typeof run.capped) => {
      const spans = outcome.progress.views().filter((t) => t.node === "review");
      return Math.max(...spans.map((t) => spans.filter((o) => o.startedAt! <= t.startedAt! && o.endedAt! > t.startedAt!).length));
    };
    expect(peak(run.three.parallel)).toBe(3);
    expect(peak(run.three.sequential)).toBe(1);
    expect(peak(run.capped)).toBe(2);
    expect(run.three.sequential.state?.reviews).toEqual(run.three.parallel.state?.reviews);
  });

  it("names the reviewers in the timeline as the progress display does", async () => {
    const run = await runCodeReview({ mode: "offline", latencyScale: 0.02, out: memoryOutput(), tty: false });
    const dir = await mkdtemp(join(tmpdir(), "code-review-"));
    await drawPictures(dir, [{ name: "run", events: run.capped.events, labels: run.capped.progress.views() }], { render: false });
    const gantt = await readFile(join(dir, "run-timeline.mmd"), "utf8");
    for (const dimension of ["Security", "Performance", "Style", "Documentation"]) expect(gantt).toContain(`  ${dimension} review`);
    expect(gantt).not.toContain("review #");
  });

  it("keeps all four reviews without the outage", async () => {
    const run = await runCodeReview({ mode: "offline", latencyScale: 0.02, outage: false, out: memoryOutput(), tty: false });
    expect(run.state.reviews.map((r) => r.dimension)).toEqual(["Security", "Performance", "Style", "Documentation"]);
    expect(run.capped.failures).toEqual([]);
  });
});

describe("against an endpoint that refuses the key", () => {
  it("stops after one attempt per reviewer and prints one paragraph, not a stack", async () => {
    const server = await startTestServer({ handler: () => ({ status: 401, error: "Incorrect API key provided: sk-bad" }) });
    try {
      const main = join(import.meta.dirname, "main.ts");
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
      const ran = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ["--conditions=@weft/source", "--import", tsx, main],
          { env: { ...process.env, OPENAI_API_KEY: "sk-bad", OPENAI_BASE_URL: server.baseURL, NODE_OPTIONS: "" } },
          (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr }),
        );
      });
      expect(ran.code).toBe(1);
      expect(ran.stderr.trim()).toBe(
        "The model endpoint refused the request (HTTP 401: 401 Incorrect API key provided: sk-bad). Check OPENAI_API_KEY (and OPENAI_BASE_URL, if you set it), " +
          "or unset OPENAI_API_KEY to run the example offline against its local test server. A refused request is not retried: it would be refused again.",
      );
      expect(ran.stdout).not.toContain("    at ");
      // One request per reviewer of the first part: the 401 is not retried, by Weft or by the client.
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
    // A hang guard: starting Node and compiling the example with tsx takes seconds on a busy machine.
  }, 30_000);
});

describe("docs/guides/code-review.md", () => {
  it("quotes the example's code as it is", async () => {
    const { quotes, drifted } = await checkGuide("code-review");
    expect(quotes).toBeGreaterThan(0);
    expect(drifted).toEqual([]);
  });
});
