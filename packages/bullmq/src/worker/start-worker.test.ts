import { describe, expect, it } from "vitest";
import { startWorker } from "./start-worker.js";

describe("startWorker's graph", () => {
  it("is an INVALID_OPTION when missing, doubled or not a graph, before any connection", async () => {
    await expect(startWorker({})).rejects.toMatchObject({ code: "INVALID_OPTION", message: expect.stringContaining("needs a graph") });
    await expect(startWorker({ graph: { toIR: () => undefined } as never, module: "./x.js" })).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: "startWorker takes a graph or a module, not both.",
    });
    await expect(startWorker({ graph: { nodes: [] } as never })).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining("graph option is not a graph"),
    });
  });

  it("loads a module with the loader weft draw uses, naming a missing one", async () => {
    await expect(startWorker({ module: "./no-such-graph.ts" })).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining("Cannot find the graph module ./no-such-graph.ts"),
    });
  });
});
