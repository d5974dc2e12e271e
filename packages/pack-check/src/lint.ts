/** Runs publint and @arethetypeswrong/cli on a packed tarball, as a registry user would see it. */
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules", ".bin");
const run = promisify(execFile);

/** What a linter said about a tarball: `ok` is false when it found any problem. */
export interface LintReport {
  readonly tool: "publint" | "attw";
  readonly ok: boolean;
  readonly output: string;
}

/**
 * publint in strict mode (warnings count as problems) and attw with the `node16` profile: the
 * packages need Node 22, whose resolution is node16's; node10's is not one they support.
 */
export async function lintTarball(tarball: string): Promise<LintReport[]> {
  return Promise.all([
    tool("publint", ["run", tarball, "--strict"]),
    tool("attw", [tarball, "--profile", "node16", "--format", "ascii", "--no-color"]),
  ]);
}

async function tool(name: LintReport["tool"], args: readonly string[]): Promise<LintReport> {
  try {
    const { stdout, stderr } = await run(join(BIN, name), args, { maxBuffer: 16 * 1024 * 1024 });
    return { tool: name, ok: true, output: stdout + stderr };
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return { tool: name, ok: false, output: `${stdout ?? ""}${stderr ?? ""}` };
  }
}
