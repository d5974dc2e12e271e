import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { parseRunRecord, toMermaid } from "@weft/core/draw";
import { beforeAll, describe, expect, it } from "vitest";
import { chromiumForTests } from "../../mermaid/test/chromium.js";
import { parseMermaid } from "../../mermaid/test/parse.js";
import { graph as report } from "../../mermaid/test/fixtures/report.js";
import { graph as teams } from "../../mermaid/test/fixtures/teams.js";
import { parseSvg, pngSize } from "../../mermaid/test/svg.js";
import { runCli } from "../src/index.js";

const run = promisify(execFile);
const fixtures = resolve(import.meta.dirname, "../../mermaid/test/fixtures");
const bin = resolve(import.meta.dirname, "../bin/weft.js");

/**
 * Runs the real `weft` executable, the built one a user installs (vitest.config.ts builds it
 * before the tests start), on the built packages.
 */
function weft(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [bin, ...args], { cwd: fixtures, env: { ...process.env, NODE_OPTIONS: "" } });
}

/** Runs the CLI in this process, as if started in `cwd`, and collects what it prints. */
async function runIn(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const cli = (...argv: string[]) => runIn(fixtures, ...argv);

function expectSvgWith(path: string, texts: readonly string[]): void {
  const content = parseSvg(readFileSync(path, "utf8")).textContent ?? "";
  for (const text of texts) expect(content).toContain(text);
}

describe.skipIf(chromiumForTests() === undefined)("the weft executable", () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), "weft-cli-"));
  });

  it("weft draw writes a module's graph as .mmd, .svg and .png with one browser", async () => {
    const files = ["report.mmd", "report.svg", "report.png"].map((name) => join(out, name));
    const { stderr } = await weft("draw", "report.ts", ...files.flatMap((file) => ["-o", file]));
    expect(stderr).toContain(`wrote ${files[1]}`);
    const text = readFileSync(files[0]!, "utf8");
    expect(text).toBe(toMermaid(report));
    expect(await parseMermaid(text)).toBe("flowchart-v2");
    expectSvgWith(files[1]!, ["plan", "write_section", "synthesize", "Send"]);
    expect(pngSize(readFileSync(files[2]!)).width).toBeGreaterThan(100);
  });

  it("weft record writes a run as JSON Lines, and weft timeline draws it", async () => {
    const record = join(out, "research.jsonl");
    await weft("record", "research.ts", "-o", record);
    const events = parseRunRecord(readFileSync(record, "utf8"));
    expect(events[0]?.type).toBe("run:start");
    expect(events.at(-1)?.type).toBe("run:end");

    const files = ["run.mmd", "run.svg", "run.png"].map((name) => join(out, name));
    await weft("timeline", record, "--title", "research", ...files.flatMap((file) => ["-o", file]));
    const text = readFileSync(files[0]!, "utf8");
    expect(await parseMermaid(text)).toBe("gantt");
    expect(text).toContain("search #4 (attempt 2 failed, continued) :crit, ");
    expectSvgWith(files[1]!, ["research", "Step 2", "search #1 (attempt 1 failed, retried)", "synthesize"]);
    expect(pngSize(readFileSync(files[2]!)).width).toBeGreaterThan(100);
  });

  it("weft draw expands subgraph nodes, and weft timeline nests their inner tasks, two levels deep", async () => {
    // The expansion is in the diagram's text, which mermaid parses; rendering is the first test's.
    const drawn = join(out, "teams.mmd");
    await weft("draw", "teams.ts", "-o", drawn);
    const text = readFileSync(drawn, "utf8");
    expect(text).toBe(toMermaid(teams));
    expect(await parseMermaid(text)).toBe("flowchart-v2");
    expect(text).toContain('  subgraph n1 ["team"]\n');
    expect(text).toContain('    subgraph n1_n1 ["research"]\n');
    expect(text).toContain('n0 ==>|"Send"| n1');

    const record = join(out, "teams.jsonl");
    await weft("record", "teams.ts", "-o", record);
    const timeline = join(out, "teams-run.mmd");
    await weft("timeline", record, "-o", timeline);
    const gantt = readFileSync(timeline, "utf8");
    expect(await parseMermaid(gantt)).toBe("gantt");
    expect(gantt).toContain("  section team #2 › research\n  search :");
    expect(gantt).toContain("  section team #1 › research\n");
    expect(gantt).toMatch(/section Step 2\b/);
  });
});

describe("weft in-process", () => {
  it("prints the mermaid text when there is no -o, with the chosen export, direction and title", async () => {
    const { code, stdout } = await cli("draw", "voting.ts", "--export", "voting", "--direction", "LR", "--title", "votes");
    expect(code).toBe(0);
    expect(await parseMermaid(stdout)).toBe("flowchart-v2");
    expect(stdout).toContain('---\ntitle: "votes"\n---\nflowchart LR\n');
    expect(stdout).toContain('n0@{ shape: procs, label: "judge" }');
  });

  it("expands --subgraph node=export from the same module", async () => {
    const { code, stdout } = await cli("draw", "nested.ts", "--subgraph", "research=research");
    expect(code).toBe(0);
    expect(await parseMermaid(stdout)).toBe("flowchart-v2");
    expect(stdout).toContain('subgraph n0 ["research"]');
  });

  it("draws a module's subgraph nodes expanded without --subgraph", async () => {
    const { code, stdout } = await cli("draw", "teams.ts");
    expect(code).toBe(0);
    expect(await parseMermaid(stdout)).toBe("flowchart-v2");
    expect(stdout).toContain('subgraph n1_n1 ["research"]\n      n1_n1___start__(["START"])\n      n1_n1_n0["search"]');
  });

  it("records a run with --input and prints it when there is no -o", async () => {
    const { code, stdout } = await cli("record", "report.ts", "--input", '{"topic":"CLIs"}');
    expect(code).toBe(0);
    const events = parseRunRecord(stdout);
    expect(events[0]).toMatchObject({ type: "run:start", input: { topic: "CLIs" } });
  });

  it("takes a module's only graph, and says which exports a module has when the choice is wrong", async () => {
    expect(await cli("draw", "voting.ts")).toMatchObject({ code: 0, stdout: expect.stringContaining("flowchart TD") });
    const wrong = await cli("draw", "report.ts", "--export", "input");
    expect(wrong).toMatchObject({ code: 1, stderr: expect.stringContaining('Export "input" of report.ts is not a graph') });
    expect(wrong.stderr).not.toContain("    at ");
    const missing = await cli("draw", "report.ts", "--export", "reviewGraph");
    expect(missing.stderr).toBe('weft draw: report.ts has no export "reviewGraph"; its exports are: "graph", "input".\n');
  });

  it("calls a factory export with no arguments, and says what a factory with parameters needs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-cli-"));
    const graphModule = (body: string) => `import { END, START, StateGraph } from "@weft/core";\nimport { z } from "zod";\n${body}\n`;
    writeFileSync(
      join(dir, "factory.ts"),
      graphModule(
        'export function reviewGraph() {\n  return new StateGraph(z.object({ a: z.string() })).addNode("review", () => undefined).addEdge(START, "review").addEdge("review", END);\n}\n' +
          "export const withModel = (model: string) => reviewGraph();",
      ),
    );
    const drawn = await runIn(dir, "draw", "factory.ts", "--export", "reviewGraph");
    expect(drawn).toMatchObject({ code: 0, stdout: expect.stringContaining('"review"') });
    const needs = await runIn(dir, "draw", "factory.ts", "--export", "withModel");
    expect(needs.code).toBe(1);
    expect(needs.stderr).toContain('Export "withModel" of factory.ts is a function that takes arguments (model)');
  });

  it("reads paths from the caller's directory and ignores the -- that pnpm run passes on", async () => {
    const { code, stdout } = await runIn(resolve(fixtures, ".."), "--", "draw", "fixtures/voting.ts", "--direction", "LR");
    expect(code).toBe(0);
    expect(stdout).toContain("flowchart LR");
    expect((await runIn(resolve(fixtures, ".."), "draw", "--", "fixtures/voting.ts")).code).toBe(0);
  });

  it("fails with a clear message on a missing module, an unknown format or a bad option value", async () => {
    expect((await cli("draw", "missing.ts")).stderr).toContain(
      `Cannot find the graph module missing.ts (looked at ${join(fixtures, "missing.ts")})`,
    );
    expect((await cli("draw", "report.ts", "-o", "x.gif")).stderr).toContain('Cannot tell the format of "x.gif"');
    expect((await cli("draw", "report.ts", "--direction", "UP")).stderr).toContain("--direction must be one of TD, LR, BT, RL");
  });

  it("exits 2 with the usage on an unknown command or option", async () => {
    expect(await cli("paint", "x.ts")).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "paint"') });
    expect(await cli("draw", "x.ts", "--colour", "red")).toMatchObject({ code: 2, stderr: expect.stringContaining("Usage:") });
    expect((await cli()).code).toBe(2);
  });

  it("hands weft worker to @weft/bullmq, with its usage on a wrong command line", async () => {
    const { code, stderr } = await cli("worker");
    expect(code).toBe(2);
    expect(stderr).toContain("weft worker: ");
    expect(stderr).toContain("Usage: weft-worker <module> [options]");
  });

  it("names the line of a run record that is not an event", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "weft-cli-")), "bad.jsonl");
    writeFileSync(file, '{"type":"run:start","at":0}\n[1,2]\n');
    const { code, stderr } = await cli("timeline", file);
    expect(code).toBe(1);
    expect(stderr).toContain("bad.jsonl: The run record's line 2 is not a run event");
  });
});
