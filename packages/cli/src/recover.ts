import { parseArgs } from "node:util";
import type { CompiledGraph, RecoveredThread } from "@weft/core";
import { loadGraphModule } from "@weft/core/load";
import { CliError } from "./cli-error.js";

/** Where `weft recover` runs and prints. */
export interface RecoverIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const RECOVER_USAGE = `  weft recover <module> [--export name] [--limit n] [--timeout-ms ms]
                     (finishes the runs whose process died and wakes waiting threads that are due:
                      graph.recover() on the module's graph)`;

/**
 * `weft recover <module>`: loads the module's compiled graph and calls its `recover()`, which
 * resumes every thread whose run's lease expired (its process died) from its last checkpoint.
 * Prints one line per thread; exits 1 when a resumed run failed, 2 on bad usage.
 *
 * @example
 * ```ts
 * process.exitCode = await recoverCommand(["src/graph.ts"], { cwd: process.cwd(), stdout: console.log, stderr: console.error });
 * ```
 * @see ../../../docs/guides/durable-storage.md
 */
export async function recoverCommand(argv: readonly string[], io: RecoverIo): Promise<number> {
  let args: ReturnType<typeof parse>;
  let limit: number | undefined;
  let timeoutMs: number | undefined;
  try {
    args = parse(argv);
    if (args.positionals.length !== 1) throw new CliError(`weft recover takes exactly one module, got ${args.positionals.length}.`);
    limit = wholeNumber("--limit", args.values.limit);
    timeoutMs = wholeNumber("--timeout-ms", args.values["timeout-ms"]);
  } catch (error) {
    io.stderr(`weft recover: ${(error as Error).message}\nUsage:\n${RECOVER_USAGE}\n`);
    return 2;
  }
  try {
    const path = args.positionals[0]!;
    const graph = recoverable((await loadGraphModule({ module: path, export: args.values.export, cwd: io.cwd })).graph, path);
    const recovered = await graph.recover({ ...(limit === undefined ? {} : { limit }), run: timeoutMs === undefined ? {} : { timeoutMs } });
    for (const entry of recovered) io.stdout(`${describe(entry)}\n`);
    const failed = recovered.filter((entry) => entry.status === "failed").length;
    const done = recovered.filter((entry) => entry.status === "recovered").length;
    io.stdout(
      recovered.length === 0
        ? "No thread to recover.\n"
        : `${done} recovered, ${recovered.length - done - failed} busy, ${failed} failed.\n`,
    );
    return failed === 0 ? 0 : 1;
  } catch (error) {
    io.stderr(`weft recover: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { export: { type: "string" }, limit: { type: "string" }, "timeout-ms": { type: "string" } },
  });
}

function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new CliError(`${flag} must be a whole number ≥ 1, got "${value}".`);
  return number;
}

/** The compiled graph to recover, or a {@link CliError} saying why the export is not one. */
function recoverable(graph: unknown, path: string): CompiledGraph<never> {
  if (typeof (graph as { recover?: unknown }).recover !== "function") {
    throw new CliError(`The graph of ${path} is not compiled: export builder.compile({ checkpointer }), whose store holds the threads.`);
  }
  return graph as CompiledGraph<never>;
}

function describe(entry: RecoveredThread): string {
  switch (entry.status) {
    case "recovered":
      return `recovered ${entry.threadId}: ${entry.result.status} after ${entry.result.steps} step${entry.result.steps === 1 ? "" : "s"}`;
    case "busy":
      return `busy ${entry.threadId}: another run took it first`;
    case "failed":
      return `failed ${entry.threadId}: ${entry.error.code} ${entry.error.message}`;
  }
}
