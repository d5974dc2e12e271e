/**
 * `pnpm --filter @weft/docs-check typecheck`: type-checks every ```ts snippet of docs/.
 * Exits 1, with each error located by page and line, when one does not compile.
 * `node src/cli.ts concepts/ guides/aggregation.md` checks only the pages starting with those paths.
 */
import { join } from "node:path";
import { checkDocs, PACKAGE_DIR } from "./check.ts";
import { DocsError } from "./extract.ts";

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
  process.exitCode = result.ok ? 0 : 1;
} catch (error) {
  if (!(error instanceof DocsError)) throw error;
  console.error(`docs-check: ${error.message}`);
  process.exitCode = 1;
}
