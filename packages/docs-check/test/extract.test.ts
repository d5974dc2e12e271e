import { describe, expect, it } from "vitest";
import { DocsError, extractSnippets } from "../src/extract.ts";

const page = (...lines: string[]): string => lines.join("\n");

describe("extractSnippets", () => {
  it("finds ts and typescript blocks with the line of their first code line, and nothing else", () => {
    const markdown = page(
      "# Title", // 1
      "```ts", // 2
      'import { z } from "zod";', // 3
      "```", // 4
      "```python", // 5
      "print('no')", // 6
      "```", // 7
      "~~~typescript", // 8
      "const a = 1;", // 9
      "~~~", // 10
      "```mermaid", // 11
      "flowchart TD", // 12
      "```", // 13
    );
    expect(extractSnippets(markdown, "concepts/x.md")).toEqual([
      { page: "concepts/x.md", line: 3, code: 'import { z } from "zod";\n', skip: false, run: true, output: undefined },
      { page: "concepts/x.md", line: 9, code: "const a = 1;\n", skip: false, run: true, output: undefined },
    ]);
  });

  it("honours skip-check and no-run", () => {
    const markdown = page(
      "```ts skip-check",
      'import { synthesize } from "@weft/openai";',
      "```",
      "```ts no-run",
      'import { z } from "zod";',
      "```",
    );
    expect(extractSnippets(markdown, "p.md").map(({ skip, run }) => ({ skip, run }))).toEqual([
      { skip: true, run: false },
      { skip: false, run: false },
    ]);
  });

  it("attaches a text output block to the snippet before it", () => {
    const markdown = page("```ts", 'console.log("hi");', "```", "", "Output:", "", "```text output", "hi", "```");
    expect(extractSnippets(markdown, "p.md")[0]?.output).toBe("hi\n");
  });

  it("reads indented fences inside list items and ignores fences nested in a longer fence", () => {
    const markdown = page(
      "1. Step one:",
      "   ```ts",
      "   const a = 1;",
      "     const b = 2;",
      "   ```",
      "````md",
      "```ts",
      "this is markdown about markdown, not a snippet",
      "```",
      "````",
    );
    const snippets = extractSnippets(markdown, "p.md");
    expect(snippets).toHaveLength(1);
    expect(snippets[0]?.code).toBe("const a = 1;\n  const b = 2;\n");
  });

  it("refuses a misspelled flag instead of silently checking or skipping", () => {
    expect(() => extractSnippets(page("```ts skip-chek", "x", "```"), "p.md")).toThrow(
      new DocsError('p.md:1: unknown flag "skip-chek" on a ts block; known flags: skip-check, no-run.'),
    );
  });

  it("runs only snippets that import nothing beyond @weft/core, zod and node: modules", () => {
    const markdown = page(
      "```ts",
      'import { StateGraph } from "@weft/core/testing";',
      'import { readFile } from "node:fs/promises";',
      "```",
      "```ts",
      'import { synthesize } from "@weft/openai";',
      "```",
    );
    expect(extractSnippets(markdown, "p.md").map(({ skip, run }) => ({ skip, run }))).toEqual([
      { skip: false, run: true },
      { skip: false, run: false },
    ]);
  });

  it("refuses skip-check on a snippet that only imports packages the check has", () => {
    const markdown = page("", "```ts skip-check", 'import { StateGraph } from "@weft/core";', 'import { z } from "zod";', "```");
    expect(() => extractSnippets(markdown, "p.md")).toThrow(
      /^p\.md:2: skip-check is for snippets that import a package still being written/,
    );
  });

  it("refuses an output block with no runnable snippet before it", () => {
    expect(() => extractSnippets(page("```text output", "hi", "```"), "p.md")).toThrow(/^p\.md:1: an output block belongs/);
    expect(() => extractSnippets(page("```ts no-run", "x", "```", "```text output", "hi", "```"), "p.md")).toThrow(DocsError);
    const separated = page("```ts", 'console.log("hi");', "```", "```sh", "node x.ts", "```", "```text output", "hi", "```");
    expect(() => extractSnippets(separated, "p.md")).toThrow(/^p\.md:7: an output block belongs/);
    const twice = page("```ts", 'console.log("hi");', "```", "```text output", "hi", "```", "```text output", "hi", "```");
    expect(() => extractSnippets(twice, "p.md")).toThrow(/^p\.md:7: an output block belongs/);
  });

  it("refuses a block that is never closed", () => {
    expect(() => extractSnippets(page("text", "```ts", "const a = 1;"), "p.md")).toThrow("p.md:2: this code block is never closed.");
  });
});
