import { once } from "node:events";
import { parseArgs } from "node:util";
import { MemoryCheckpointer } from "@weft/core";
import { loadGraphModule } from "@weft/core/load";
import { CliError } from "./cli-error.js";

/** Where `weft studio` prints, and what ends it (default: Ctrl-C or SIGTERM). */
export interface StudioIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  /** Resolves when the studio should stop. */
  readonly until?: Promise<unknown>;
}

/**
 * `weft studio <module>`: serves the module's graph with the studio page until stopped. A
 * StateGraph is compiled with a `MemoryCheckpointer`; a CompiledGraph must have a checkpointer.
 * The module's `input` export fills the run form; its `close` export runs at shutdown.
 */
export async function studioCommand(argv: readonly string[], io: StudioIo): Promise<void> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { export: { type: "string" }, port: { type: "string" }, host: { type: "string" } },
  });
  if (positionals.length !== 1) throw new CliError(`weft studio takes exactly one module, got ${positionals.length}.`);
  const port = values.port === undefined ? 4700 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port must be a port number (0 for any free one), got "${values.port}".`);
  const path = positionals[0]!;
  const { graph: source, exports: module } = await loadGraphModule({ module: path, export: values.export, cwd: io.cwd });
  let graph: unknown = source;
  if (typeof (graph as { stream?: unknown }).stream !== "function") {
    if (typeof (graph as { compile?: unknown }).compile !== "function") {
      throw new CliError(`The graph of ${path} cannot run: export a StateGraph or a CompiledGraph.`);
    }
    graph = (graph as { compile(options: object): unknown }).compile({ checkpointer: new MemoryCheckpointer() });
  }
  const { startStudio } = await import("@weft/studio");
  const name = (graph as { name?: string }).name || "graph";
  const studio = await startStudio({
    graphs: { [name]: graph as never },
    inputs: module.input === undefined ? {} : { [name]: module.input },
    port,
    ...(values.host === undefined ? {} : { hostname: values.host }),
  });
  io.stdout(`Weft Studio: ${studio.url}  (graph "${name}" from ${path}; Ctrl-C to stop)\n`);
  try {
    await (io.until ?? Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]));
  } finally {
    await studio.close();
    if (typeof module.close === "function") await (module.close as () => unknown)();
  }
}
