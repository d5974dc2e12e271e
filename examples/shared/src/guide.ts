import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";

/** A code block of a guide that quotes an example's file. */
export interface GuideQuote {
  /** The quoted file, relative to the repository root: `examples/report/src/graph.ts`. */
  readonly file: string;
  /** The block's 1-based first line in the guide. */
  readonly line: number;
  readonly code: string;
}

const SOURCE = /\]\((?:\.\.\/)+(examples\/[^)#\s]+)\)[^\n]*:\s*$/;

/**
 * The code blocks of a guide that quote an example: each block right after a line that links
 * to a file under `examples/` and ends with a colon, e.g.
 * `From [examples/report/src/graph.ts](../../examples/report/src/graph.ts):`. The examples'
 * tests check that every such block still appears, verbatim, in the file it names.
 *
 * @example
 * ```ts
 * for (const quote of guideQuotes(await readFile("docs/guides/report.md", "utf8"))) {
 *   expect(await readFile(quote.file, "utf8")).toContain(quote.code);
 * }
 * ```
 */
export function guideQuotes(markdown: string): GuideQuote[] {
  const lines = markdown.split(/\r?\n/);
  const quotes: GuideQuote[] = [];
  let source: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const link = SOURCE.exec(text);
    if (link !== null) {
      source = link[1];
      continue;
    }
    const fence = /^(`{3,})/.exec(text);
    if (fence !== null && source !== undefined) {
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && !lines[j]!.startsWith(fence[1]!)) body.push(lines[j++]!);
      quotes.push({ file: source, line: i + 2, code: body.join("\n") });
      source = undefined;
      i = j;
      continue;
    }
    if (text.trim() !== "") source = undefined;
  }
  return quotes;
}

const REPO = resolve(import.meta.dirname, "../../..");

/**
 * Checks `docs/guides/<name>.md` against the examples: every quoted block must still appear,
 * verbatim, in the file it names. Returns how many blocks it checked and the ones that drifted.
 *
 * @example
 * ```ts
 * const { quotes, drifted } = await checkGuide("briefing");
 * expect(quotes).toBeGreaterThan(0);
 * expect(drifted).toEqual([]);
 * ```
 */
export async function checkGuide(name: string): Promise<{ quotes: number; drifted: string[] }> {
  const guide = `docs/guides/${name}.md`;
  const quotes = guideQuotes(await readFile(join(REPO, guide), "utf8"));
  const drifted: string[] = [];
  for (const quote of quotes) {
    const source = await readFile(join(REPO, quote.file), "utf8").catch(() => "");
    if (!source.includes(quote.code)) drifted.push(`${guide}:${quote.line} no longer matches ${quote.file}`);
  }
  return { quotes: quotes.length, drifted };
}
