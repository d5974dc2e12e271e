import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/** The messages tsc prints for a file of this package, as a user reads them. */
function diagnosticsOf(code: string): string[] {
  const dir = join(import.meta.dirname, "..", "src");
  const file = join(dir, "type-errors.fixture.ts");
  const config = ts.getParsedCommandLineOfConfigFile(
    join(import.meta.dirname, "..", "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => {},
    },
  )!;
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === file ? code : readFile(name));
  host.fileExists = (
    (exists) => (name: string) =>
      name === file || exists(name)
  )(host.fileExists.bind(host));
  const program = ts.createProgram([file], { ...config.options, noEmit: true }, host);
  // Only this file is checked: the types it uses are checked as far as it needs them, and the
  // rest of core's sources are left to the type checks of pnpm test (checking them all here
  // took most of this test's time).
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(file))
    .filter((diagnostic) => diagnostic.file?.fileName === file)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
}

describe("the type errors a user reads", () => {
  // A TypeScript program of core's sources: seconds on a busy machine.
  it("name the unknown update key and the unknown edge target", { timeout: 120_000 }, () => {
    const [update, edge, ...rest] = diagnosticsOf(`
      import { z } from "zod";
      import { END, START, StateGraph } from "./index.js";
      const State = z.object({ topic: z.string(), summary: z.string().optional() });
      new StateGraph(State).addNode("write", (s) => ({ sumary: s.topic }));
      new StateGraph(State).addNode("plan", () => ({ summary: "x" })).addEdge(START, "plan").addEdge("plan", "wirte");
    `);
    expect(rest).toEqual([]);
    // tsc shows the message inside TypeError<"…">, its quotes escaped.
    expect(update).toContain('TypeError<"Key \\"sumary\\" is not in the state">');
    expect(edge).toContain('TypeError<"addEdge: \\"wirte\\" is not a node of this graph">');
    // One short message each: no overload list, no NodeNames<{…}> or "__start__" to wade through.
    for (const message of [update!, edge!]) {
      expect(message).not.toMatch(/overload|NodeNames|__start__/);
      expect(message.length).toBeLessThan(400);
    }
  });
});
