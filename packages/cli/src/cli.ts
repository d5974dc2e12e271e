import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { isGraphError, type RunEvent } from "@weft/core";
import {
  parseRunRecord,
  recordRun,
  stringifyRunRecord,
  toMermaid,
  toMermaidGantt,
  type GraphSource,
  type MermaidOptions,
} from "@weft/core/draw";
import { loadGraphModule, pickGraph } from "@weft/core/load";
import { createRenderer, isRenderError } from "@weft/mermaid";
import { CliError } from "./cli-error.js";
import { RECOVER_USAGE, recoverCommand } from "./recover.js";

/**
 * Where the CLI runs and writes; the process's cwd, stdout and stderr by default.
 *
 * @example
 * ```ts
 * let out = "";
 * await runCli(["draw", "graph.ts"], { cwd: "/project", stdout: (text) => (out += text) });
 * ```
 */
export interface CliIo {
  readonly cwd?: string;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
}

const USAGE = `Usage:
  weft draw <module> [-o out.svg|.png|.mmd ...] [--export name] [--direction TD|LR|BT|RL]
                     [--title text] [--subgraph node=export ...] [--undeclared-routes every|placeholder]
  weft record <module> [-o run.jsonl] [--export name] [--input json | --input-file file.json]
  weft timeline <run.jsonl|run.json> [-o out.svg|.png|.mmd ...] [--title text]
  weft studio <module> [--export name] [--port 4700] [--host 127.0.0.1]
                     (serves the graph and the studio page: run it and watch every task live)
  weft worker <module> [--export name] [--concurrency n] [--redis url] [--prefix p] ...
                     (runs the module's graph tasks from BullMQ; weft worker --help for all options)
${RECOVER_USAGE}

  <module>   a .ts/.mts/.js/.mjs module whose default export (or export "graph", or --export,
             or its only graph) is a StateGraph, CompiledGraph or GraphIR, or a function of no
             arguments that returns one. Paths are relative to the current directory.
  -o         output file; its extension picks the format. Repeat it to write several formats
             with one browser. Without -o, the mermaid text goes to stdout.
  --subgraph node=export  draw a node whose function calls the exported graph as a box
             holding it; subgraph nodes (a compiled graph given to addNode) are drawn so anyway.
  --scale n  PNG pixels per CSS pixel (default 1).   --background color   (default white)
  record runs the graph (input from --input, --input-file, or the module's "input" export)
  and writes its events as JSON Lines, the format \`weft timeline\` reads.
`;

type Format = "mmd" | "svg" | "png";

/**
 * Runs the `weft` command line and returns its exit code: 0 done, 1 failed, 2 bad usage.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(["draw", "src/graph.ts", "-o", "graph.svg"]);
 * ```
 * @see ../../../docs/diagrams.md
 */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text));
  const cwd = io.cwd ?? process.cwd();
  // `pnpm run weft -- draw …` passes the `--` on: it is not part of the command line.
  const [command, ...rest] = argv[0] === "--" ? argv.slice(1) : argv;
  if (rest[0] === "--") rest.shift();
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    (command === undefined ? stderr : stdout)(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === "worker") return worker(rest, stderr);
  if (command === "recover") return recoverCommand(rest, { cwd, stdout, stderr });
  if (command === "studio") return studio(rest, { cwd, stdout, stderr });
  let args: ReturnType<typeof parse>;
  try {
    args = parse(rest);
    if (args.positionals.length !== 1) throw new CliError(`weft ${command} takes exactly one file, got ${args.positionals.length}.`);
  } catch (error) {
    stderr(`weft: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  try {
    switch (command) {
      case "draw":
        await draw(args, cwd, stdout, stderr);
        return 0;
      case "timeline":
        await timeline(args, cwd, stdout, stderr);
        return 0;
      case "record":
        await record(args, cwd, stdout, stderr);
        return 0;
      default:
        stderr(`weft: unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof CliError || isRenderError(error) || isGraphError(error)) {
      stderr(`weft ${command}: ${error.message}\n`);
      return 1;
    }
    stderr(`weft ${command}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

/** `weft worker`: the `weft-worker` command of `@weft/bullmq`, loaded only when asked for. */
async function worker(args: readonly string[], stderr: (text: string) => void): Promise<number> {
  const { runWorkerCommand, UsageError } = await import("@weft/bullmq");
  try {
    await runWorkerCommand(args);
    return 0;
  } catch (error) {
    stderr(`weft worker: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

/** `weft studio`: loaded only when asked for. */
async function studio(args: readonly string[], io: { cwd: string; stdout: Print; stderr: Print }): Promise<number> {
  const { studioCommand } = await import("./studio.js");
  try {
    await studioCommand(args, io);
    return 0;
  } catch (error) {
    io.stderr(`weft studio: ${error instanceof Error ? error.message : String(error)}\n`);
    return String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS") ? 2 : 1;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      output: { type: "string", short: "o", multiple: true },
      export: { type: "string" },
      direction: { type: "string" },
      title: { type: "string" },
      subgraph: { type: "string", multiple: true },
      "undeclared-routes": { type: "string" },
      scale: { type: "string" },
      background: { type: "string" },
      input: { type: "string" },
      "input-file": { type: "string" },
    },
  });
}

type Args = ReturnType<typeof parse>;
type Print = (text: string) => void;

async function draw(args: Args, cwd: string, stdout: Print, stderr: Print): Promise<void> {
  const outputs = outputsOf(args, cwd);
  const path = args.positionals[0]!;
  const { graph, exports } = await loadGraphModule({ module: path, export: args.values.export, cwd });
  const subgraphs: Record<string, GraphSource> = {};
  for (const spec of args.values.subgraph ?? []) {
    const [node, exportName] = spec.split("=");
    if (!node || !exportName) throw new CliError(`--subgraph takes node=export, got "${spec}".`);
    subgraphs[node] = await pickGraph(exports, { export: exportName, where: path });
  }
  const options: MermaidOptions = {
    direction: oneOf(args.values.direction, ["TD", "LR", "BT", "RL"] as const, "--direction"),
    title: args.values.title,
    subgraphs,
    undeclaredRoutes: oneOf(args.values["undeclared-routes"], ["every", "placeholder"] as const, "--undeclared-routes"),
  };
  await emit(toMermaid(graph, options), outputs, args, stdout, stderr);
}

async function timeline(args: Args, cwd: string, stdout: Print, stderr: Print): Promise<void> {
  const outputs = outputsOf(args, cwd);
  const path = args.positionals[0]!;
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), "utf8");
  } catch {
    throw new CliError(`Cannot read the run record ${path}.`);
  }
  let events: ReturnType<typeof parseRunRecord>;
  try {
    events = parseRunRecord(text);
  } catch (error) {
    throw new CliError(`${path}: ${(error as Error).message}`);
  }
  await emit(toMermaidGantt(events, { title: args.values.title }), outputs, args, stdout, stderr);
}

async function record(args: Args, cwd: string, stdout: Print, stderr: Print): Promise<void> {
  const path = args.positionals[0]!;
  const { graph: source, exports } = await loadGraphModule({ module: path, export: args.values.export, cwd });
  let graph: unknown = source;
  if (typeof (graph as { stream?: unknown }).stream !== "function") {
    if (typeof (graph as { compile?: unknown }).compile !== "function") {
      throw new CliError(`The graph of ${path} cannot run: export a StateGraph or a CompiledGraph.`);
    }
    graph = (graph as { compile(): unknown }).compile();
  }
  let input: unknown = exports.input;
  if (args.values.input !== undefined) input = parseJson(args.values.input, "--input");
  if (args.values["input-file"] !== undefined) {
    input = parseJson(await readFile(resolve(cwd, args.values["input-file"]), "utf8"), args.values["input-file"]);
  }
  if (input === undefined) throw new CliError(`No input: pass --input '<json>' or --input-file, or export "input" from ${path}.`);
  const stream = (graph as { stream(input: unknown): AsyncIterable<RunEvent<unknown, string>> }).stream(input);
  const events = await recordRun(stream);
  const text = stringifyRunRecord(events);
  const outputs = args.values.output ?? [];
  if (outputs.length === 0) stdout(text);
  for (const output of outputs) await writeOutput(resolve(cwd, output), text);
  const last = events.at(-1);
  if (last?.type === "run:error") stderr(`weft record: the run failed (${last.error.message}); its events were recorded.\n`);
}

interface Output {
  readonly path: string;
  readonly format: Format;
}

/** The -o files with their formats, checked before any work is done. */
function outputsOf(args: Args, cwd: string): Output[] {
  return (args.values.output ?? []).map((output) => ({ path: resolve(cwd, output), format: formatOf(output) }));
}

/** Writes the mermaid text as every requested output, rendering with one browser. */
async function emit(text: string, outputs: readonly Output[], args: Args, stdout: Print, stderr: Print): Promise<void> {
  if (outputs.length === 0) {
    stdout(text);
    return;
  }
  const scale = args.values.scale === undefined ? undefined : Number(args.values.scale);
  if (scale !== undefined && !(scale > 0 && scale <= 8))
    throw new CliError(`--scale must be a number in (0, 8], got "${args.values.scale}".`);
  const rendered = outputs.filter((output) => output.format !== "mmd");
  const renderer = rendered.length === 0 ? undefined : await createRenderer();
  try {
    for (const output of outputs) {
      const data =
        output.format === "mmd"
          ? text
          : await renderer!.render(text, { format: output.format, scale, backgroundColor: args.values.background });
      await writeOutput(output.path, data);
      stderr(`wrote ${output.path}\n`);
    }
  } finally {
    await renderer?.close();
  }
}

async function writeOutput(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}

function formatOf(path: string): Format {
  const extension = extname(path).toLowerCase();
  if (extension === ".mmd" || extension === ".mermaid") return "mmd";
  if (extension === ".svg") return "svg";
  if (extension === ".png") return "png";
  throw new CliError(`Cannot tell the format of "${path}": use a .svg, .png or .mmd file name.`);
}

function oneOf<const T extends string>(value: string | undefined, allowed: readonly T[], option: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError(`${option} must be one of ${allowed.join(", ")}, got "${value}".`);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${where} is not JSON: ${(error as Error).message}`);
  }
}
