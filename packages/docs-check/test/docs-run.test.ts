import { join } from "node:path";
import { format } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { DOCS_DIR, PACKAGE_DIR, writeSnippets } from "../src/check.ts";

// The docs' snippets run here as they are written: each must finish without throwing, and
// print exactly what the `text output` block after it shows.
const { snippets } = writeSnippets(DOCS_DIR, join(PACKAGE_DIR, ".snippets", "run"));
const runnable = snippets.filter((snippet) => snippet.run);

const methods = ["log", "info", "warn", "error"] as const;
const originals = methods.map((method) => console[method]);
afterEach(() => methods.forEach((method, i) => (console[method] = originals[i]!)));

/** Runs `fn` while recording what it prints to the console, as the console would print it. */
async function printed(fn: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  for (const method of methods) console[method] = (...args: unknown[]) => lines.push(format(...args));
  await fn();
  return lines.map((line) => `${line}\n`).join("");
}

describe("the docs' snippets", () => {
  it("include runnable snippets", () => {
    expect(runnable.length).toBeGreaterThan(0);
  });

  for (const snippet of runnable) {
    it(`${snippet.page}:${snippet.line} runs${snippet.output === undefined ? "" : " and prints its output"}`, async () => {
      const output = await printed(() => import(snippet.file));
      if (snippet.output !== undefined) expect(output).toBe(snippet.output);
    });
  }
});
