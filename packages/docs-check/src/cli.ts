/**
 * `pnpm --filter @weft/docs-check typecheck`: type-checks every ```ts snippet of docs/, then
 * runs every `weft` command line of its shell blocks from the repository's root.
 * Exits 1, with each error located by page and line, when one does not compile or fails.
 * `node src/cli.ts concepts/ guides/aggregation.md` checks only the pages starting with those paths.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkDocs, DOCS_DIR, findPages, PACKAGE_DIR } from "./check.ts";
import { runCommands, SERVERS } from "./commands.ts";
import { DocsError, extractCommands } from "./extract.ts";

try {
  const result = checkDocs({ outDir: join(PACKAGE_DIR, ".snippets", "check"), only: process.argv.slice(2) });
  const skipped = result.snippets.filter((snippet) => snippet.skip);
  for (const error of result.errors) console.error(error);
  console.log(
    `docs-check: ${result.snippets.length} snippets in ${result.pages} pages; ` +
      `${result.snippets.length - skipped.length} type-checked, ${skipped.length} skip-check` +
      (skipped.length === 0 ? "" : ` (${skipped.map((snippet) => `${snippet.page}:${snippet.line}`).join(", ")})`) +
      (result.ok ? "." : `; ${result.errors.length} errors.`),
  );
  const only = process.argv.slice(2);
  const pages = findPages(DOCS_DIR).filter((page) => only.length === 0 || only.some((prefix) => page.startsWith(prefix)));
  const commands = pages.flatMap((page) => extractCommands(readFileSync(join(DOCS_DIR, page), "utf8"), page));
  const failed = runCommands(commands, join(DOCS_DIR, ".."));
  for (const error of failed) console.error(error);
  const servers = commands.filter((command) => SERVERS.has(command.args[0] ?? "")).length;
  console.log(
    `docs-check: ${commands.length - servers} weft command lines run, ${servers} server lines (studio, worker) not started` +
      (failed.length === 0 ? "." : `; ${failed.length} failed.`),
  );
  process.exitCode = result.ok && failed.length === 0 ? 0 : 1;
} catch (error) {
  if (!(error instanceof DocsError)) throw error;
  console.error(`docs-check: ${error.message}`);
  process.exitCode = 1;
}
