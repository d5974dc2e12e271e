import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Other packages and the examples reach @weft/core only through its public entries: Biome's
 * `noRestrictedImports` rule in the repository's biome.json says so. These tests run that rule,
 * with the repository's own configuration, on files laid out as the repository lays them out.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const BIOME = join(ROOT, "node_modules", ".bin", "biome");
const run = promisify(execFile);

interface Diagnostic {
  readonly category: string;
  readonly message: string;
  readonly location: { readonly path: string; readonly start: { readonly line: number } };
}

let dir: string;
let diagnostics: Diagnostic[];

const FILES: Readonly<Record<string, string>> = {
  "packages/sqlite/src/entries.ts": [
    'export { StateGraph } from "@weft/core";',
    'export { encodeValue } from "@weft/core/adapter";',
    'export { toMermaid } from "@weft/core/draw";',
    'export * from "@weft/core/aggregate";',
    'export * from "@weft/core/testing";',
    'export * from "@weft/core/load";',
    "",
  ].join("\n"),
  "packages/sqlite/src/deep.ts": [
    'export { runLoop } from "@weft/core/src/runtime/loop";',
    'export const records = await import("@weft/core/records");',
    'export { GraphError } from "../../core/src/errors/graph-error.ts";',
    'export * from "@weft/core/dist/index.js";',
    "",
  ].join("\n"),
  "examples/report/src/deep.ts": ['export { StateGraph } from "@weft/core/src/builder/builder.ts";', ""].join("\n"),
  "packages/core/src/inside.ts": ['export { GraphError } from "../src/errors/graph-error.ts";', ""].join("\n"),
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "weft-entry-imports-"));
  await copyFile(join(ROOT, "biome.json"), join(dir, "biome.json"));
  for (const [path, text] of Object.entries(FILES)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  // Biome exits non-zero when it reports an error; the JSON report is on stdout either way.
  const stdout = await run(BIOME, ["lint", "--reporter=json", "--max-diagnostics=100", "."], { cwd: dir }).then(
    (ran) => ran.stdout,
    (error: { stdout?: string }) => error.stdout ?? "",
  );
  diagnostics = (JSON.parse(stdout) as { diagnostics: Diagnostic[] }).diagnostics.filter(
    (d) => d.category === "lint/style/noRestrictedImports",
  );
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const linesOf = (path: string) => diagnostics.filter((d) => d.location.path === path).map((d) => d.location.start.line);

describe("imports of @weft/core from other packages", () => {
  it("are allowed through every public entry", () => {
    expect(linesOf("packages/sqlite/src/entries.ts")).toEqual([]);
  });

  it("fail the lint when they reach inside core, naming the allowed entries", () => {
    expect(linesOf("packages/sqlite/src/deep.ts")).toEqual([1, 2, 3, 4]);
    expect(linesOf("examples/report/src/deep.ts")).toEqual([1]);
    for (const { message } of diagnostics) {
      for (const entry of [
        "@weft/core,",
        "@weft/core/adapter",
        "@weft/core/draw",
        "@weft/core/aggregate",
        "@weft/core/testing",
        "@weft/core/load",
      ])
        expect(message).toContain(entry);
    }
  });

  it("are not restricted inside core itself", () => {
    expect(linesOf("packages/core/src/inside.ts")).toEqual([]);
  });

  it("allow exactly the entries core's package.json exports", async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, "packages", "core", "package.json"), "utf8")) as { exports: object };
    const exported = Object.keys(manifest.exports)
      .filter((key) => key !== "." && key !== "./package.json")
      .map((key) => `@weft/core/${key.slice(2)}`)
      .sort();
    const config = await readFile(join(ROOT, "biome.json"), "utf8");
    const allowed = [...config.matchAll(/"!(@weft\/core\/[a-z-]+)"/g)].map((match) => match[1]).sort();
    expect(allowed).toEqual(exported);
  });
});
