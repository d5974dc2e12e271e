import { describe, expect, it } from "vitest";
import { parseWorkerArgs } from "./worker-cli.js";

describe("weft-worker's command line", () => {
  it("reads the module and every option", () => {
    const command = parseWorkerArgs([
      "./graph.js",
      "--export",
      "report",
      "--concurrency",
      "4",
      "--redis",
      "redis://cache:6380/2",
      "--prefix",
      "app",
      "--queue",
      "reports",
      "--lock-duration",
      "5000",
      "--stalled-interval",
      "2000",
      "--max-stalled",
      "0",
    ]);
    expect(command.help).toBe(false);
    if (command.help) return;
    const { queueName, ...options } = command.options;
    expect(options).toEqual({
      module: "./graph.js",
      export: "report",
      concurrency: 4,
      connection: "redis://cache:6380/2",
      prefix: "app",
      lockDurationMs: 5000,
      stalledIntervalMs: 2000,
      maxStalledCount: 0,
    });
    expect(queueName?.("anything")).toBe("reports");
  });

  it("needs exactly one module, and whole numbers", () => {
    expect(() => parseWorkerArgs([])).toThrow("needs the graph module");
    expect(() => parseWorkerArgs(["a.js", "b.js"])).toThrow("takes one module, got 2");
    expect(() => parseWorkerArgs(["a.js", "--concurrency", "0"])).toThrow('--concurrency must be a whole number ≥ 1, got "0"');
    expect(() => parseWorkerArgs(["a.js", "--lock-duration", "1.5"])).toThrow("--lock-duration must be a whole number");
  });

  it("asks for help", () => {
    expect(parseWorkerArgs(["--help"])).toEqual({ help: true });
  });
});
