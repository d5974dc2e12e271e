import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/index.js";
import { studioCommand } from "../src/studio.js";

const fixtures = resolve(import.meta.dirname, "fixtures");
const studioPage = resolve(import.meta.dirname, "../../studio/dist/web/index.html");

beforeAll(async () => {
  // The studio serves its page from its build; build it if this checkout has not yet.
  if (!existsSync(studioPage)) await promisify(execFile)("pnpm", ["--filter", "@weft/studio", "build:web"], { cwd: fixtures });
}, 180_000);

describe("weft studio", () => {
  it("serves the module's graph, compiled with a checkpointer, and the page, until stopped; then closes the module", async () => {
    let printed = "";
    let stop!: () => void;
    const until = new Promise<void>((resolve) => (stop = resolve));
    const running = studioCommand(["studio-graph.ts", "--port", "0"], { cwd: fixtures, stdout: (text) => (printed += text), until });
    while (!printed.includes("http://")) await new Promise((resolve) => setTimeout(resolve, 20));
    const url = /http:\/\/\S+/.exec(printed)![0];
    expect(printed).toContain('graph "greeter" from studio-graph.ts');

    const page = await fetch(url);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain('<div id="app">');
    const config = (await (await fetch(`${url}/api/studio`)).json()) as { graphs: string[]; inputs: Record<string, unknown> };
    expect(config).toEqual({ graphs: ["greeter"], inputs: { greeter: { name: "Ada" } } });
    const run = await fetch(`${url}/api/graphs/greeter/threads/t1/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: config.inputs.greeter }),
    });
    expect(run.status).toBe(201);
    const { runId } = (await run.json()) as { runId: string };
    await (await fetch(`${url}/api/runs/${runId}/events`)).text();
    const state = (await (await fetch(`${url}/api/graphs/greeter/threads/t1/state`)).json()) as { values: unknown };
    expect(state.values).toEqual({ name: "Ada", greeting: "Hello, Ada" });

    const closedBefore = (globalThis as { closedStudioModules?: number }).closedStudioModules ?? 0;
    stop();
    await running;
    await expect(fetch(url)).rejects.toThrow();
    expect((globalThis as { closedStudioModules?: number }).closedStudioModules).toBe(closedBefore + 1);
  });

  it("refuses a compiled graph without a checkpointer, and bad usage, with exit codes 1 and 2", async () => {
    let stderr = "";
    const io = { cwd: fixtures, stdout: () => {}, stderr: (text: string) => (stderr += text) };
    expect(await runCli(["studio", "studio-graph.ts", "--export", "noCheckpointer", "--port", "0"], io)).toBe(1);
    expect(stderr).toContain("has no checkpointer");
    stderr = "";
    expect(await runCli(["studio", "studio-graph.ts", "--prot", "1"], io)).toBe(2);
    expect(await runCli(["studio", "studio-graph.ts", "--port", "http"], io)).toBe(1);
    expect(stderr).toContain("--port must be a port number");
  });
});
