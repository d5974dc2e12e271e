/** One fenced TypeScript block of a docs page. */
export interface Snippet {
  /** The page, relative to the docs folder, with forward slashes: `"concepts/state.md"`. */
  readonly page: string;
  /** The 1-based line of the block's first code line in the page. */
  readonly line: number;
  readonly code: string;
  /** ` ```ts skip-check`: neither type-checked nor run, for a snippet that imports a package still being written. */
  readonly skip: boolean;
  /**
   * Whether the docs test runs it: true unless it is flagged `skip-check` or `no-run`, or
   * imports more than `@weft/core`, `zod` and `node:` modules (other packages may need a model
   * server, a browser or a database).
   */
  readonly run: boolean;
  /** What the run must print: the ` ```text output` block that follows the snippet, if any. */
  readonly output: string | undefined;
}

/** A page that breaks the snippet rules, named by page and line, or a check that cannot run. */
export class DocsError extends Error {
  override name = "DocsError";
}

const TYPESCRIPT = new Set(["ts", "typescript"]);
const FLAGS = new Set(["skip-check", "no-run"]);
/** Packages every checked snippet may use: a snippet that imports only these has no reason to skip the check. */
const AVAILABLE = new Set(["@weft/core", "zod"]);

interface Fence {
  readonly marker: string;
  readonly indent: number;
  readonly info: string;
  /** The 1-based line of the opening fence. */
  readonly line: number;
  readonly body: string[];
}

/**
 * Finds the TypeScript snippets of one page, with their flags and expected output. Other
 * fenced blocks (text, mermaid, python, …) are ignored; a page that misuses a flag throws a
 * {@link DocsError}.
 */
export function extractSnippets(markdown: string, page: string): Snippet[] {
  const snippets: Snippet[] = [];
  const where = (line: number): string => `${page}:${line}`;
  // An output block must follow its snippet with no other code block in between.
  let afterSnippet = false;
  for (const fence of fences(markdown, page)) {
    const [lang = "", ...flags] = fence.info.split(/\s+/).filter((word) => word.length > 0);
    const code = `${fence.body.join("\n")}\n`;
    if (TYPESCRIPT.has(lang)) {
      for (const flag of flags) {
        if (!FLAGS.has(flag)) {
          throw new DocsError(`${where(fence.line)}: unknown flag "${flag}" on a ${lang} block; known flags: ${[...FLAGS].join(", ")}.`);
        }
      }
      const skip = flags.includes("skip-check");
      const selfContained = importsOf(code).every(isAvailable);
      if (skip && selfContained) {
        throw new DocsError(
          `${where(fence.line)}: skip-check is for snippets that import a package still being written, but this one only imports ${[...AVAILABLE].join(", ")} or node: modules: remove the flag.`,
        );
      }
      snippets.push({
        page,
        line: fence.line + 1,
        code,
        skip,
        run: !skip && !flags.includes("no-run") && selfContained,
        output: undefined,
      });
      afterSnippet = true;
      continue;
    }
    const follows = afterSnippet;
    afterSnippet = false;
    if (!flags.includes("output")) continue;
    const last = snippets.at(-1);
    if (!follows || last === undefined || !last.run) {
      throw new DocsError(
        `${where(fence.line)}: an output block belongs right after the ts snippet that prints it, and that snippet must run (no skip-check or no-run flag, no imports beyond @weft/core, zod and node: modules).`,
      );
    }
    snippets[snippets.length - 1] = { ...last, output: code };
  }
  return snippets;
}

/** A `weft` command line of a docs page's shell block. */
export interface Command {
  readonly page: string;
  /** The 1-based line of the command in the page. */
  readonly line: number;
  /** The command line as written. */
  readonly text: string;
  /** Its arguments after `weft`, unquoted as a POSIX shell would. */
  readonly args: readonly string[];
}

const SHELLS = new Set(["sh", "bash", "shell", "console"]);

/**
 * Every invocation of the `weft` command (`weft …`, `npx weft …`, `pnpm weft …`) in the page's
 * sh, bash and shell blocks, comments removed.
 */
export function extractCommands(markdown: string, page: string): Command[] {
  const commands: Command[] = [];
  for (const fence of fences(markdown, page)) {
    if (!SHELLS.has(fence.info.split(/\s+/)[0] ?? "")) continue;
    fence.body.forEach((text, i) => {
      const words = shellWords(text, `${page}:${fence.line + 1 + i}`);
      const start = words[0] === "weft" ? 1 : (words[0] === "npx" || words[0] === "pnpm") && words[1] === "weft" ? 2 : -1;
      if (start > 0) commands.push({ page, line: fence.line + 1 + i, text: text.trim(), args: words.slice(start) });
    });
  }
  return commands;
}

/** Splits a shell line into words: single and double quotes, backslashes, a `#` comment. */
export function shellWords(line: string, where: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else if (char === "\\" && quote === '"' && i + 1 < line.length) word = `${word ?? ""}${line[++i]}`;
      else word = `${word ?? ""}${char}`;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= "";
    } else if (char === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === "#" && word === undefined) {
      break;
    } else {
      word = (word ?? "") + char;
    }
  }
  if (quote !== undefined) throw new DocsError(`${where}: a ${quote} quote is never closed.`);
  if (word !== undefined) words.push(word);
  return words;
}

/** The fenced code blocks of a page, in order (CommonMark fences: ``` or ~~~, possibly indented). */
function fences(markdown: string, page: string): Fence[] {
  const lines = markdown.split(/\r?\n/);
  const found: Fence[] = [];
  let open: Fence | undefined;
  lines.forEach((text, i) => {
    const match = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(text);
    if (open === undefined) {
      if (match === null) return;
      const [, indent = "", marker = "", info = ""] = match;
      if (marker.startsWith("`") && info.includes("`")) return;
      open = { marker, indent: indent.length, info: info.trim(), line: i + 1, body: [] };
      return;
    }
    const closes = match !== null && match[2]![0] === open.marker[0] && match[2]!.length >= open.marker.length && match[3]!.trim() === "";
    if (closes) {
      found.push(open);
      open = undefined;
      return;
    }
    // Inside a list item the fence is indented; so is its code.
    open.body.push(text.slice(Math.min(open.indent, /^\s*/.exec(text)![0].length)));
  });
  if (open !== undefined) throw new DocsError(`${page}:${(open as Fence).line}: this code block is never closed.`);
  return found;
}

/** The module specifiers a snippet imports. */
export function importsOf(code: string): string[] {
  const names: string[] = [];
  for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)) names.push(match[1]!);
  return names;
}

/** True for Node's built-in modules and the packages in {@link AVAILABLE} (`"@weft/core/testing"` included). */
function isAvailable(specifier: string): boolean {
  if (specifier.startsWith("node:")) return true;
  const parts = specifier.split("/");
  return AVAILABLE.has(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
}
