import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const hooks = fileURLToPath(new URL("./fixtures/source-hooks.mjs", import.meta.url));

/**
 * Node flags that let a child process run the tests' TypeScript files. The Weft packages they
 * import are the built ones (`dist/`, which the package's vitest.config.ts builds before the
 * tests start): a child starts in about half the CPU time it takes on the sources.
 */
export const childFlags = ["--import", hooks, "--no-warnings=ExperimentalWarning"];

/** A child process running a TypeScript `script` (absolute path) under this process's Node. */
export function spawnSource(script: string, args: readonly string[]): ChildProcess & { readonly done: Promise<Exit> } {
  const child = spawn(process.execPath, [...childFlags, script, ...args]);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  const done = new Promise<Exit>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return Object.assign(child, { done });
}

/** How a child process ended, with what it printed. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a script of `test/fixtures` to its end. */
export async function runFixture(script: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const { code, stdout, stderr } = await spawnSource(fileURLToPath(new URL(`./fixtures/${script}`, import.meta.url)), args).done;
  return { code, output: stdout + stderr };
}
