import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { extractSnippets, type Snippet } from "./extract.ts";
import { nativeTsc } from "./tsc.ts";

/** This package's folder: generated snippets must live under it to resolve its dependencies (`@weft/core`, `zod`, …). */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The repository's docs folder. */
export const DOCS_DIR = join(PACKAGE_DIR, "..", "..", "docs");

/** A snippet written out as a module. */
export interface WrittenSnippet extends Snippet {
  /** The generated `.ts` file. */
  readonly file: string;
}

/** The outcome of {@link checkDocs}. */
export interface CheckResult {
  readonly ok: boolean;
  readonly pages: number;
  readonly snippets: readonly WrittenSnippet[];
  /** tsc's errors, located in the docs pages: `concepts/state.md:12:7 - error TS2322: …`. */
  readonly errors: readonly string[];
}

/**
 * Folders under docs/ that are generated from the sources, not written: the API reference
 * (`pnpm docs:api`) repeats the TSDoc examples, which are fragments checked where they live.
 */
const GENERATED = ["api/"];

/** Every written Markdown page under `docsDir`, relative to it with forward slashes, sorted. */
export function findPages(docsDir: string): string[] {
  const pages = readdirSync(docsDir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".md"))
    .map((name) => name.split(sep).join("/"))
    .filter((page) => !GENERATED.some((folder) => page.startsWith(folder)));
  return pages.sort();
}

/**
 * Extracts every snippet of the pages under `docsDir` (or of those starting with one of
 * `only`) into `outDir` (emptied first), one module per snippet, with a tsconfig extending
 * `tsconfig.snippets.json`. `outDir` must be inside this package so that the snippets resolve
 * its dependencies.
 */
export function writeSnippets(
  docsDir: string,
  outDir: string,
  only: readonly string[] = [],
): { pages: number; snippets: WrittenSnippet[] } {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const pages = findPages(docsDir).filter((page) => only.length === 0 || only.some((prefix) => page.startsWith(prefix)));
  const snippets: WrittenSnippet[] = [];
  for (const page of pages) {
    for (const snippet of extractSnippets(readFileSync(join(docsDir, page), "utf8"), page)) {
      const file = join(outDir, page, `L${snippet.line}.ts`);
      if (!snippet.skip) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, snippet.code);
      }
      snippets.push({ ...snippet, file });
    }
  }
  const tsconfig = {
    extends: relative(outDir, join(PACKAGE_DIR, "tsconfig.snippets.json")).split(sep).join("/"),
    include: ["**/*.ts"],
  };
  writeFileSync(join(outDir, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
  return { pages: pages.length, snippets };
}

/**
 * Type-checks every TypeScript snippet of the docs with `tsc --noEmit`, on the workspace's
 * sources (the `@weft/source` condition). Errors point at the Markdown page and line.
 */
export function checkDocs(options: { docsDir?: string; outDir: string; only?: readonly string[] }): CheckResult {
  const { pages, snippets } = writeSnippets(options.docsDir ?? DOCS_DIR, options.outDir, options.only);
  if (!snippets.some((snippet) => !snippet.skip)) {
    return { ok: false, pages, snippets, errors: [`No TypeScript snippet to check under ${options.docsDir ?? DOCS_DIR}.`] };
  }
  // From inside outDir, tsc names files relative to it, as the snippets are listed. One checker:
  // the snippets are one small program, and the other lanes of `pnpm test` need the other core.
  const run = spawnSync(process.execPath, [nativeTsc(), "--noEmit", "--pretty", "false", "--checkers", "1", "-p", "."], {
    cwd: options.outDir,
    encoding: "utf8",
  });
  if (run.error !== undefined) throw run.error;
  const output = `${run.stdout}${run.stderr}`.trim();
  const errors = output === "" ? [] : locate(output, snippets, options.outDir);
  // tsc also fails on errors in the packages' own sources; their typecheck reports those.
  return { ok: run.status !== null && errors.length === 0, pages, snippets, errors };
}

/**
 * Rewrites tsc's `<generated file>(line,col): error …` lines to `<page>:<line>:<col> - error …`,
 * keeping the lines that follow each error. Errors in files that are not snippets (the
 * sources of the packages they import) are left out.
 */
function locate(output: string, snippets: readonly WrittenSnippet[], outDir: string): string[] {
  const byFile = new Map(snippets.map((snippet) => [relative(outDir, snippet.file).split(sep).join("/"), snippet]));
  const errors: string[] = [];
  let keep = true;
  for (const text of output.split(/\r?\n/)) {
    const match = /^(.+?)\((\d+),(\d+)\): (.*)$/.exec(text);
    if (match !== null) {
      const snippet = byFile.get(match[1]!.split(sep).join("/"));
      keep = snippet !== undefined;
      if (snippet !== undefined) errors.push(`${snippet.page}:${snippet.line + Number(match[2]) - 1}:${match[3]} - ${match[4]}`);
    } else if (/^\s/.test(text)) {
      if (keep && errors.length > 0) errors[errors.length - 1] += `\n${text}`;
    } else {
      keep = true;
      errors.push(text);
    }
  }
  return errors;
}
