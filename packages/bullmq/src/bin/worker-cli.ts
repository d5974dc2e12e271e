import { parseArgs } from "node:util";
import { startWorker, type StartWorkerOptions, type WeftWorker } from "../worker/start-worker.js";

/** The usage text of `weft-worker`. */
export const USAGE = `Usage: weft-worker <module> [options]

Runs the task attempts of the graph that <module> exports, taken from its BullMQ queue.

Options:
  --export <name>             the export that holds the graph (default: default, graph, or the only one)
  --concurrency <n>           attempts run at once (default 1)
  --redis <url>               Redis URL (default: WEFT_REDIS_URL, else redis://127.0.0.1:6379)
  --prefix <prefix>           BullMQ key prefix, as the driver's (default weft)
  --queue <name>              queue name, as the driver's (default weft-<graph name>)
  --lock-duration <ms>        job lock duration (default 30000)
  --stalled-interval <ms>     stalled-job check interval (default 30000)
  --max-stalled <n>           times a job may stall and be run again (default 3)
  -h, --help                  show this text`;

/**
 * A wrong command line: its message ends with the usage text.
 *
 * @example
 * ```ts
 * await runWorkerCommand(args).catch((error) => {
 *   console.error(error.message);
 *   process.exitCode = error instanceof UsageError ? 2 : 1;
 * });
 * ```
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Runs `weft-worker` (or `weft worker`) with its arguments: starts the worker, prints a ready
 * line, and closes it gracefully on SIGINT/SIGTERM (a second signal exits at once). Resolves
 * with the running worker, or undefined after printing help; rejects with a {@link UsageError}
 * on a wrong command line.
 *
 * @example
 * ```ts
 * import { runWorkerCommand } from "@weft/bullmq";
 *
 * await runWorkerCommand(["./dist/graph.js", "--concurrency", "4"]);
 * ```
 * @see ../../../../docs/guides/distributed.md
 */
export async function runWorkerCommand(args: readonly string[]): Promise<WeftWorker | undefined> {
  let command: WorkerCommand;
  try {
    command = parseWorkerArgs(args);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (command.help) {
    console.log(USAGE);
    return undefined;
  }
  const worker = await startWorker(command.options);
  worker.worker.on("error", (error) => console.error(`weft-worker ${worker.name}: ${error.message}`));
  worker.worker.on("failed", (job, error) =>
    console.error(`weft-worker ${worker.name}: job ${job?.id} (${job?.name}) failed: ${error.message}`),
  );
  console.log(
    `weft-worker ${worker.name} ready: graph "${worker.graph}", queue "${worker.queue}", concurrency ${command.options.concurrency ?? 1}`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(1);
    stopping = true;
    void worker.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return worker;
}

/** What the command line asks for: worker options, or help. */
export type WorkerCommand = { readonly help: true } | { readonly help: false; readonly options: StartWorkerOptions };

/**
 * Reads `weft-worker`'s arguments into {@link startWorker} options. Throws a message for the
 * user on a wrong command line.
 *
 * @example
 * ```ts
 * parseWorkerArgs(["./graph.js", "--concurrency", "4"]); // { help: false, options: { module: "./graph.js", concurrency: 4 } }
 * ```
 */
export function parseWorkerArgs(args: readonly string[]): WorkerCommand {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      export: { type: "string" },
      concurrency: { type: "string" },
      redis: { type: "string" },
      prefix: { type: "string" },
      queue: { type: "string" },
      "lock-duration": { type: "string" },
      "stalled-interval": { type: "string" },
      "max-stalled": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) return { help: true };
  if (positionals.length !== 1) {
    throw new Error(
      positionals.length === 0 ? "weft-worker needs the graph module to load." : `weft-worker takes one module, got ${positionals.length}.`,
    );
  }
  const queue = values.queue;
  const options: StartWorkerOptions = {
    module: positionals[0]!,
    ...(values.export === undefined ? {} : { export: values.export }),
    ...number("concurrency", values.concurrency, 1),
    ...(values.redis === undefined ? {} : { connection: values.redis }),
    ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
    ...(queue === undefined ? {} : { queueName: () => queue }),
    ...number("lockDurationMs", values["lock-duration"], 1),
    ...number("stalledIntervalMs", values["stalled-interval"], 1),
    ...number("maxStalledCount", values["max-stalled"], 0),
  };
  return { help: false, options };
}

function number(key: keyof StartWorkerOptions, text: string | undefined, min: number): Partial<StartWorkerOptions> {
  if (text === undefined) return {};
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${flag(key)} must be a whole number ≥ ${min}, got "${text}".`);
  return { [key]: value };
}

function flag(key: keyof StartWorkerOptions): string {
  const flags: Partial<Record<keyof StartWorkerOptions, string>> = {
    lockDurationMs: "lock-duration",
    stalledIntervalMs: "stalled-interval",
    maxStalledCount: "max-stalled",
  };
  return flags[key] ?? key;
}
