import { describe, expect, it } from "vitest";
import { scaleReply } from "./client.js";
import { guideQuotes } from "./guide.js";
import { latencyScale } from "./latency.js";

describe("latencyScale", () => {
  it("reads WEFT_LATENCY_SCALE, 1 by default, and refuses nonsense", () => {
    expect(latencyScale({})).toBe(1);
    expect(latencyScale({ WEFT_LATENCY_SCALE: "0.05" })).toBe(0.05);
    expect(() => latencyScale({ WEFT_LATENCY_SCALE: "fast" })).toThrow(/WEFT_LATENCY_SCALE must be a number/);
  });
});

describe("scaleReply", () => {
  it("scales the latency and the delay between streamed chunks", () => {
    const reply = scaleReply({ text: "hi", latencyMs: 800, chunkDelayMs: (i: number) => i * 10 }, 0.5);
    expect(reply.latencyMs).toBe(400);
    expect(typeof reply.chunkDelayMs === "function" && reply.chunkDelayMs(3)).toBe(15);
  });
});

describe("guideQuotes", () => {
  it("finds the code blocks that follow a link to an example file and a colon", () => {
    const markdown = [
      "# Guide",
      "From [`examples/a/src/graph.ts`](../../examples/a/src/graph.ts):",
      "",
      "```ts",
      "const a = 1;",
      "```",
      "",
      "```ts",
      "not a quote",
      "```",
      "See [main](../../examples/a/src/main.ts) for more.",
      "",
      "```sh",
      "not a quote either",
      "```",
    ].join("\n");
    expect(guideQuotes(markdown)).toEqual([{ file: "examples/a/src/graph.ts", line: 5, code: "const a = 1;" }]);
  });
});
