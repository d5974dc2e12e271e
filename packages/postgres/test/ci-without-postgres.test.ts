import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// vitest's exports map hides its bin script; find it beside its package.json.
const vitest = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const NOWHERE = "postgres://postgres@127.0.0.1:1/test";

/** Runs the conformance test file in a fresh vitest, against a server that is not there. */
function runWithoutPostgres(ci: boolean): Promise<{ code: number | null; output: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST") && key !== "CI"));
  const child = spawn(process.execPath, [vitest, "run", "src/postgres-checkpointer.test.ts", "--pool=threads", "--maxWorkers=1"], {
    cwd: packageDir,
    env: { ...env, WEFT_POSTGRES_URL: NOWHERE, NO_COLOR: "1", ...(ci ? { CI: "true" } : {}) },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("the Postgres tests without a server", () => {
  it("fail loudly in CI", async () => {
    const { code, output } = await runWithoutPostgres(true);
    expect(code).not.toBe(0);
    expect(output).toContain(`PostgreSQL is not reachable at ${NOWHERE}`);
    expect(output).toContain("and CI is set, so the Postgres tests fail instead of skipping");
  }, 60_000);

  it("are skipped with a visible notice elsewhere", async () => {
    const { code, output } = await runWithoutPostgres(false);
    expect(code).toBe(0);
    expect(output).toContain(`Skipping the @weft/postgres tests: PostgreSQL is not reachable at ${NOWHERE}`);
    // Every conformance test is skipped, none run.
    expect(output).toMatch(/Tests\s+(\d+) skipped \(\1\)/);
  }, 60_000);
});
