import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCommands } from "../src/commands.ts";
import { DocsError, extractCommands, shellWords } from "../src/extract.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");

describe("the weft command lines of a page", () => {
  it("are found in shell blocks however weft is called, with their lines and unquoted arguments", () => {
    const markdown = [
      "```sh", // 1
      "pnpm weft draw a.ts -o 'out dir/a.svg'   # a comment", // 2
      "npm install x", // 3
      'npx weft record a.ts --input \'{"topic":"AI"}\'', // 4
      "```", // 5
      "```ts", // 6
      "weft draw not-shell.ts", // 7
      "```", // 8
      "```bash", // 9
      'weft timeline run.jsonl --title "nightly run"', // 10
      "```", // 11
    ].join("\n");
    expect(extractCommands(markdown, "p.md")).toEqual([
      {
        page: "p.md",
        line: 2,
        text: "pnpm weft draw a.ts -o 'out dir/a.svg'   # a comment",
        args: ["draw", "a.ts", "-o", "out dir/a.svg"],
      },
      {
        page: "p.md",
        line: 4,
        text: `npx weft record a.ts --input '{"topic":"AI"}'`,
        args: ["record", "a.ts", "--input", '{"topic":"AI"}'],
      },
      {
        page: "p.md",
        line: 10,
        text: 'weft timeline run.jsonl --title "nightly run"',
        args: ["timeline", "run.jsonl", "--title", "nightly run"],
      },
    ]);
  });

  it("splits words as a shell does, and names an unclosed quote", () => {
    expect(shellWords(String.raw`a "b \"c\"" 'd # e' f\ g # h`, "x")).toEqual(["a", 'b "c"', "d # e", "f g"]);
    expect(() => shellWords("weft draw 'a.ts", "p.md:3")).toThrow(new DocsError("p.md:3: a ' quote is never closed."));
  });
});

describe("running the command lines", () => {
  it("runs them from the repository root, writes into a folder per page, reports the ones that fail, and starts no server", () => {
    const fixture = "packages/mermaid/test/fixtures/report.ts";
    const errors = runCommands(
      [
        { page: "a.md", line: 3, text: "ok", args: ["record", fixture, "-o", "run.jsonl"] },
        { page: "a.md", line: 4, text: "reads the file the line above wrote", args: ["timeline", "run.jsonl", "-o", "run.mmd"] },
        { page: "b.md", line: 7, text: "pnpm weft draw nowhere.ts", args: ["draw", "nowhere.ts"] },
        { page: "b.md", line: 8, text: "pnpm weft timeline run.jsonl", args: ["timeline", "run.jsonl"] },
        { page: "c.md", line: 2, text: "weft studio nowhere.ts", args: ["studio", "nowhere.ts"] },
        { page: "c.md", line: 3, text: "weft worker nowhere.ts", args: ["worker", "nowhere.ts"] },
      ],
      ROOT,
    );
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^b\.md:7: `pnpm weft draw nowhere\.ts` exited with 1:\nweft draw: Cannot find the graph module nowhere\.ts/);
    expect(errors[1]).toMatch(
      /^b\.md:8: `pnpm weft timeline run\.jsonl` exited with 1:\nweft timeline: Cannot read the run record run\.jsonl/,
    );
  });

  it("refuses to run them when the weft command is not built, and says how to build it", () => {
    const unbuilt = mkdtempSync(join(tmpdir(), "weft-docs-unbuilt-"));
    try {
      expect(() => runCommands([{ page: "a.md", line: 3, text: "weft draw x.ts", args: ["draw", "x.ts"] }], unbuilt)).toThrow(
        new DocsError("The weft command is not built (packages/cli/dist/main.js): run `pnpm build`, then check the docs again."),
      );
    } finally {
      rmSync(unbuilt, { recursive: true, force: true });
    }
  });
});
