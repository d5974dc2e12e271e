/**
 * Fails when any package of the workspace has an import cycle among its own files, type-only and
 * dynamic imports included. Each package is walked from the source files its `exports` name (the
 * `@weft/source` condition) and its `src/index.ts` and `src/main.ts`, along relative imports;
 * another package's files are not followed. Imports are read with TypeScript's `preProcessFile`,
 * which scans a file's import and export declarations and `import()` calls without parsing the
 * rest of it.
 *
 *   pnpm run check:cycles
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

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

const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile();

/** The file a relative specifier names, as TypeScript resolves it (`./a.js` is `./a.ts`); undefined for other files. */
function resolveImport(specifier: string, from: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(m|c)?js$/, "");
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")];
  return candidates.find((candidate) => /\.(m|c)?(t|j)sx?$/.test(candidate) && isFile(candidate));
}

/** The files of the package that `file` imports, in the order written. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return importedFiles.flatMap(({ fileName }) => {
    if (!fileName.startsWith(".")) return [];
    const target = resolveImport(fileName, file);
    return target === undefined ? [] : [target];
  });
}

/** Every cycle reachable from the entries, each as its files in import order, the first repeated last. */
function cyclesFrom(entries: readonly string[]): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Map<string, number>();
  const visit = (file: string): void => {
    onStack.set(file, stack.push(file) - 1);
    for (const target of importsOf(file)) {
      const at = onStack.get(target);
      if (at !== undefined) {
        const cycle = [...stack.slice(at), target];
        const key = cycle.slice(0, -1).sort().join("\n");
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!done.has(target)) visit(target);
    }
    stack.pop();
    onStack.delete(file);
    done.add(file);
  };
  for (const entry of entries) if (!done.has(entry)) visit(entry);
  return cycles;
}

let failed = 0;
for (const folder of ["packages", "examples"]) {
  for (const name of readdirSync(join(root, folder)).sort()) {
    const dir = join(root, folder, name);
    if (!existsSync(join(dir, "package.json"))) continue;
    const entries = entriesOf(dir);
    if (entries.length === 0) continue;
    const cycles = cyclesFrom(entries);
    if (cycles.length === 0) {
      console.log(`check:cycles: ${folder}/${name}: no import cycle (${entries.length} entries)`);
      continue;
    }
    failed++;
    const shown = cycles.map((cycle, i) => `  ${i + 1}) ${cycle.map((file) => relative(root, file)).join(" -> ")}`);
    console.error(`check:cycles: ${folder}/${name} has ${cycles.length} import cycle(s):\n${shown.join("\n")}`);
  }
}
if (failed > 0) process.exit(1);
