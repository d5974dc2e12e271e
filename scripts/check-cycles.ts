/**
 * Fails when any package of the workspace has an import cycle, type-only imports included.
 * Each package is read from the source files its `exports` name (the `@weft/source` condition)
 * and its `bin` and `main` scripts, with dpdm (its library, in this one process: a dpdm process
 * per package spent most of its time loading TypeScript).
 *
 *   pnpm run check:cycles
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCircular, parseDependencyTree, prettyCircular } from "dpdm";

const root = join(import.meta.dirname, "..");

/** Every source file a package's exports point at, through their `@weft/source` condition. */
function entriesOf(dir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    exports?: Record<string, unknown>;
  };
  const entries = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value !== "object" || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === "@weft/source" && typeof inner === "string") entries.add(join(dir, inner));
      else visit(inner);
    }
  };
  visit(manifest.exports);
  for (const candidate of ["src/index.ts", "src/main.ts"]) if (existsSync(join(dir, candidate))) entries.add(join(dir, candidate));
  return [...entries];
}

let failed = 0;
for (const folder of ["packages", "examples"]) {
  for (const name of readdirSync(join(root, folder)).sort()) {
    const dir = join(root, folder, name);
    if (!existsSync(join(dir, "package.json"))) continue;
    const entries = entriesOf(dir);
    if (entries.length === 0) continue;
    // As the dpdm command line reads them: from the root, node_modules not followed.
    const tree = await parseDependencyTree(entries, {
      cwd: root,
      context: root,
      include: /.*/,
      exclude: /node_modules/,
      transform: false,
      skipDynamicImports: false,
      onProgress: () => {},
    });
    const circulars = parseCircular(tree);
    if (circulars.length === 0) {
      console.log(`check:cycles: ${folder}/${name}: no import cycle (${entries.length} entries)`);
      continue;
    }
    failed++;
    console.error(`check:cycles: ${folder}/${name} has an import cycle:\n${prettyCircular(circulars)}`);
  }
}
if (failed > 0) process.exit(1);
