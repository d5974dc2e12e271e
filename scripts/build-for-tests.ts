/**
 * A Vitest global setup for the packages whose tests start Node processes on the built
 * packages (their `dist/`), not on the sources: before any test starts, it builds the package
 * and every workspace package it depends on with Turbo. Turbo rebuilds what changed since the
 * last build and takes the rest from its cache (a fraction of a second when nothing did), so a
 * child process never runs an older build than the sources the test process imports.
 *
 * A child process on the built packages starts in about half the CPU time of one that loads the
 * sources, and the crash, race and distributed tests start more than a hundred.
 *
 *   test: { globalSetup: ["../../scripts/build-for-tests.ts"] }   // a package's vitest.config.ts
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

const root = fileURLToPath(new URL("..", import.meta.url));

export default function setup(project: TestProject): void {
  const { name } = JSON.parse(readFileSync(join(project.config.root, "package.json"), "utf8")) as { name: string };
  const turbo = join(root, "node_modules", ".bin", "turbo");
  try {
    execFileSync(turbo, ["run", "build", `--filter=${name}...`, "--output-logs=errors-only"], { cwd: root, stdio: "pipe" });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`Building ${name} and the packages it depends on failed, so its tests did not start:\n${stdout ?? ""}${stderr ?? ""}`, {
      cause: error,
    });
  }
}
