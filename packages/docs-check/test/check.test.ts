import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkDocs, PACKAGE_DIR } from "../src/check.ts";

const docsDir = mkdtempSync(join(tmpdir(), "weft-docs-"));
const outDir = join(PACKAGE_DIR, `.snippets-test-${process.pid}`);
afterAll(() => {
  rmSync(docsDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

/** Writes a docs tree of `pages` (path → Markdown) and returns it. */
function docs(pages: Record<string, string>): string {
  const dir = mkdtempSync(join(docsDir, "tree-"));
  for (const [path, markdown] of Object.entries(pages)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), markdown);
  }
  return dir;
}

const graphSnippet = (edgeTarget: string): string =>
  [
    "```ts",
    'import { z } from "zod";',
    'import { END, START, StateGraph } from "@weft/core";',
    "",
    "const State = z.object({ topic: z.string() });",
    "export const graph = new StateGraph(State)",
    '  .addNode("write", (s) => ({ topic: s.topic.trim() }))',
    '  .addEdge(START, "write")',
    `  .addEdge("write", ${edgeTarget})`,
    "  .compile();",
    "```",
  ].join("\n");

describe("checkDocs", () => {
  it("passes snippets that compile against @weft/core's sources, each checked as its own module", () => {
    // Two snippets without imports declare `shared`: as scripts sharing one scope they would clash.
    const script = "```ts\nconst shared: number = 1;\nconsole.log(shared);\n```\n";
    const tree = docs({ "concepts/ok.md": `# OK\n\n${graphSnippet("END")}\n`, "one.md": script, "two.md": script });
    const result = checkDocs({ docsDir: tree, outDir });
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.snippets.map((s) => `${s.page}:${s.line}`)).toEqual(["concepts/ok.md:4", "one.md:2", "two.md:2"]);
  });

  it("leaves out the generated API reference, whose examples are fragments", () => {
    const fragment = '```ts\nbuilder.addEdge(START, "plan");\n```\n';
    const tree = docs({ "concepts/ok.md": `# OK\n\n${graphSnippet("END")}\n`, "api/core/StateGraph.md": fragment });
    const result = checkDocs({ docsDir: tree, outDir });
    expect(result.errors).toEqual([]);
    expect(result.snippets.map((s) => s.page)).toEqual(["concepts/ok.md"]);
  });

  it("fails on a misspelled node name and points at the page, line and column", () => {
    const markdown = `# Broken\n\nSome prose.\n\n${graphSnippet('"wirte"')}\n`;
    const result = checkDocs({ docsDir: docs({ "guides/broken.md": markdown }), outDir });
    expect(result.ok).toBe(false);
    // The edge is on line 8 of the snippet, whose first code line is line 6 of the page.
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^guides\/broken\.md:13:21 - error TS2345: /);
    expect(result.errors[0]).toContain('TypeError<"addEdge: \\"wirte\\" is not a node of this graph">');
  });

  it("does not check a skip-check snippet, and fails when there is nothing to check", () => {
    const skipped = ["```ts skip-check", 'import { nothing } from "@weft/not-yet";', "nothing(1, 2, 3);", "```"].join("\n");
    const result = checkDocs({ docsDir: docs({ "p.md": skipped }), outDir });
    expect(result.snippets).toMatchObject([{ skip: true }]);
    expect(result.ok).toBe(false);
    expect(result.errors[0]).toMatch(/^No TypeScript snippet to check/);
  });
});
