import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const hooks = fileURLToPath(new URL("./fixtures/source-hooks.mjs", import.meta.url));

/** Node flags that let a child process import Weft packages from their TypeScript sources. */
export const sourceFlags = [
  "--experimental-transform-types", // core uses parameter properties, which plain type stripping refuses
  "--conditions=@weft/source",
  "--import",
  hooks,
  "--no-warnings=ExperimentalWarning",
];

/** Runs a fixture script under this process's Node, resolving with its exit code and output. */
export function runFixture(script: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...sourceFlags, fileURLToPath(new URL(`./fixtures/${script}`, import.meta.url)), ...args]);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}
