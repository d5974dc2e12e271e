/** Runs publint and arethetypeswrong on a packed tarball, as a registry user would see it. */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { checkPackage, createPackageFromTarballData } from "@arethetypeswrong/core";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules", ".bin");
const run = promisify(execFile);

/** What a linter said about a tarball: `ok` is false when it found any problem. */
export interface LintReport {
  readonly tool: "publint" | "attw";
  readonly ok: boolean;
  readonly output: string;
}

/**
 * publint in strict mode (warnings count as problems) and arethetypeswrong with the `node16`
 * profile: the packages need Node 22, whose resolution is node16's; node10's is not one they
 * support.
 */
export async function lintTarball(tarball: string): Promise<LintReport[]> {
  return Promise.all([publint(tarball), attw(tarball)]);
}

async function publint(tarball: string): Promise<LintReport> {
  try {
    const { stdout, stderr } = await run(join(BIN, "publint"), ["run", tarball, "--strict"], { maxBuffer: 16 * 1024 * 1024 });
    return { tool: "publint", ok: true, output: stdout + stderr };
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return { tool: "publint", ok: false, output: `${stdout ?? ""}${stderr ?? ""}` };
  }
}

/**
 * arethetypeswrong's checks, in this process: its command line (`attw <tarball> --profile
 * node16`) loads TypeScript anew for each tarball, most of what it costs. As that command does,
 * a problem fails the tarball unless it is about node10's resolution.
 */
async function attw(tarball: string): Promise<LintReport> {
  const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(await readFile(tarball))));
  if (!analysis.types) return { tool: "attw", ok: false, output: `${analysis.packageName} ships no types.` };
  const problems = analysis.problems.filter((problem) => !("resolutionKind" in problem) || problem.resolutionKind !== "node10");
  return { tool: "attw", ok: problems.length === 0, output: problems.map((problem) => JSON.stringify(problem)).join("\n") };
}
