/**
 * `pnpm typecheck`: type-checks every package of the workspace in one `tsc --build` process of
 * TypeScript 7's native compiler (the `typescript-native` devDependency; see
 * packages/docs-check/src/tsc.ts), then runs @weft/docs-check on the docs (their TypeScript
 * snippets and `weft` command lines).
 *
 * Each package is checked through its `tsconfig.check.json`: its own `tsconfig.json`, reading the
 * other Weft packages through their built declarations (the `types` condition), as a user's
 * project does; so their `dist/` must be built first (the root script builds them). One process
 * parses the declarations that every package reads (Node's, Vitest's, the built Weft packages')
 * once, where a `tsc` per package parsed them once each. It builds two projects at a time with
 * one checker each: on two cores, more checkers only add work.
 *
 *   pnpm typecheck
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { nativeTsc } from "../packages/docs-check/src/tsc.ts";

const root = join(import.meta.dirname, "..");

/** A package's folder and its direct subfolders (`packages/studio/web`) that hold a tsconfig.json. */
function projectDirs(dir: string): string[] {
  const subfolders = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "node_modules" && entry.name !== "dist")
    .map((entry) => join(dir, entry.name));
  return [dir, ...subfolders].filter((candidate) => existsSync(join(candidate, "tsconfig.json")));
}

const projects: string[] = [];
const missing: string[] = [];
for (const folder of ["packages", "examples"]) {
  for (const name of readdirSync(join(root, folder)).sort()) {
    const dir = join(root, folder, name);
    if (!existsSync(join(dir, "package.json"))) continue;
    for (const project of projectDirs(dir)) {
      const check = join(project, "tsconfig.check.json");
      if (existsSync(check)) projects.push(relative(root, check));
      else missing.push(relative(root, project));
    }
  }
}
if (missing.length > 0) {
  console.error(
    `typecheck: no tsconfig.check.json beside the tsconfig.json of ${missing.join(", ")}; add one that extends it with ` +
      `"customConditions": ["types"], as every other package has.`,
  );
  process.exit(1);
}

// --force: every project is checked on every run; no earlier result is trusted (an up-to-date
// check would look at a package's own files only, not at the built packages it reads).
const checked = spawnSync(process.execPath, [nativeTsc(), "--build", "--force", "--builders", "2", "--checkers", "1", ...projects], {
  cwd: root,
  stdio: "inherit",
});
if (checked.status !== 0) {
  console.error(`typecheck: tsc found errors (${projects.length} projects checked).`);
  process.exit(checked.status ?? 1);
}
console.log(`typecheck: ${projects.length} projects checked, no errors.`);

const docs = spawnSync(process.execPath, ["src/cli.ts"], { cwd: join(root, "packages", "docs-check"), stdio: "inherit" });
process.exit(docs.status ?? 1);
