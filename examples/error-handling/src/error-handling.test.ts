import { checkGuide, memoryOutput } from "@weft/example-shared";
import { describe, expect, it } from "vitest";
import { runErrorHandling } from "./main.js";

describe("the error-handling example", () => {
  it("fail-fast rejects on the timed-out lookup; best-effort keeps the two other results", async () => {
    const printed = memoryOutput();
    const run = await runErrorHandling({ latencyScale: 0.2, out: printed, tty: false });

    expect(run.failFast.status).toBe("failed");
    expect(run.failFast.error?.code).toBe("TASK_FAILED");
    expect(run.failFast.error?.details.failures).toMatchObject([{ node: "task", sendIndex: 1, timedOut: true, policy: "fail" }]);
    expect(run.finished).toContain("London");
    expect(run.failFast.events.some((e) => e.type === "task:end" && e.node === "aggregate")).toBe(false);

    expect(run.bestEffort.status).toBe("done");
    expect(run.bestEffort.state?.results).toEqual(["London: 12°C", "Tokyo: 24°C"]);
    expect(run.bestEffort.failures).toMatchObject([{ node: "task", sendIndex: 1, timedOut: true, policy: "continue" }]);
    expect(printed.text()).toContain("  ⚠️ Task 1 failed: API timeout\n  1/3 tasks failed\nGot 2 successful results\n");
  });
});

describe("docs/guides/error-handling.md", () => {
  it("quotes the example's code as it is", async () => {
    const { quotes, drifted } = await checkGuide("error-handling");
    expect(quotes).toBeGreaterThan(0);
    expect(drifted).toEqual([]);
  });
});
