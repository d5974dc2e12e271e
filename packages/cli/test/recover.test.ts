import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/index.js";

const dir = resolve(import.meta.dirname, "recover");

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { cwd: dir, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe("weft recover", () => {
  it("resumes every thread whose run died and prints what it did", async () => {
    const { code, stdout, stderr } = await cli("recover", "orphaned.ts");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe("recovered chat-1: done after 1 step\nrecovered chat-2: done after 1 step\n2 recovered, 0 busy, 0 failed.\n");
  });

  it("wakes a waiting thread whose deadline has passed, and leaves one that is not due", async () => {
    const { code, stdout, stderr } = await cli("recover", "waiting.ts");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe("recovered due: done after 1 step\n1 recovered, 0 busy, 0 failed.\n");
  });

  it("exits 1 and names the thread when a resumed run fails", async () => {
    const { code, stdout } = await cli("recover", "still-down.ts", "--limit", "1");
    expect(code).toBe(1);
    expect(stdout).toMatch(/^failed chat-1: TASK_FAILED Node "two" failed in step 2/);
    expect(stdout).toContain("0 recovered, 0 busy, 1 failed.");
  });

  it("refuses a graph that is not compiled, and bad usage", async () => {
    const uncompiled = await cli("recover", "orphaned.ts", "--export", "uncompiled");
    expect(uncompiled.code).toBe(1);
    expect(uncompiled.stderr).toMatch(/is not compiled: export builder.compile\(\{ checkpointer \}\)/);
    const noModule = await cli("recover");
    expect(noModule.code).toBe(2);
    expect(noModule.stderr).toContain("weft recover takes exactly one module, got 0.");
    const badLimit = await cli("recover", "orphaned.ts", "--limit", "0");
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toContain('--limit must be a whole number ≥ 1, got "0".');
  });
});
