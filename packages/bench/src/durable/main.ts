/**
 * Durable per-step cost: the chain of `length` nodes with a checkpointer, on Weft's SQLite and
 * Postgres checkpointers and on LangGraph.js's SqliteSaver and PostgresSaver, each engine and
 * store in fresh processes of its own, in turns (the order rotating every round) so that the
 * machine's load falls on all alike. Prints the median time per step and the ratios.
 *
 *   pnpm --filter @weft/bench run bench:durable [length = 100] [rounds = 4]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median } from "../stats.js";
import { formatMs, formatRatio, markdownTable } from "../table.js";

/** Per-step medians of one store on both engines, in ms. */
export interface DurableRow {
  readonly store: "sqlite" | "postgres";
  readonly weft: number | undefined;
  readonly langgraph: number | undefined;
  /** Why an engine could not run on this store, if it could not. */
  readonly failed: string[];
}

const child = fileURLToPath(new URL("./child.ts", import.meta.url));
const KEYS = ["weft/sqlite", "langgraph/sqlite", "weft/postgres", "langgraph/postgres"] as const;

/** Runs every engine and store `rounds` times, `runs` timed runs each. */
export function measureDurable(length: number, rounds: number, runs = 3): DurableRow[] {
  const samples = new Map<string, number[]>(KEYS.map((key) => [key, []]));
  const failed = new Map<string, string>();
  for (let round = 0; round < rounds; round++) {
    const order = KEYS.map((_, i) => KEYS[(i + round) % KEYS.length]!);
    for (const key of order) {
      if (failed.has(key)) continue;
      const [engine, store] = key.split("/");
      const run = spawnSync(
        process.execPath,
        ["--conditions=@weft/source", "--import", "tsx", child, engine!, store!, String(length), String(runs)],
        {
          encoding: "utf8",
        },
      );
      if (run.status !== 0) {
        failed.set(
          key,
          (
            run.stderr
              .trim()
              .split("\n")
              .find((line) => /Error|error/.test(line)) ?? run.stderr.trim()
          ).slice(0, 300),
        );
        continue;
      }
      const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { perStepMs: number[] };
      samples.get(key)!.push(...result.perStepMs);
    }
  }
  const of = (key: string): number | undefined => (failed.has(key) ? undefined : median(samples.get(key)!));
  return (["sqlite", "postgres"] as const).map((store) => ({
    store,
    weft: of(`weft/${store}`),
    langgraph: of(`langgraph/${store}`),
    failed: [`weft/${store}`, `langgraph/${store}`].filter((key) => failed.has(key)).map((key) => `${key}: ${failed.get(key)}`),
  }));
}

/** The durable table as Markdown. */
export function durableTable(rows: readonly DurableRow[], length: number): string {
  const table = markdownTable(
    ["store", "Weft per step", "LangGraph.js per step", "Weft faster"],
    rows.map((row) => [
      row.store === "sqlite" ? "SQLite (file)" : "Postgres (local)",
      formatMs(row.weft),
      formatMs(row.langgraph),
      formatRatio(row.weft === undefined || row.langgraph === undefined ? undefined : row.langgraph / row.weft),
    ]),
    ["left", "right", "right", "right"],
  );
  const notes = rows.flatMap((row) => row.failed).map((line) => `- not run: ${line}`);
  return [
    `Durable chain of ${length} nodes, one checkpoint per step: median time per step over fresh processes in turns. ` +
      "Weft: SqliteCheckpointer, PostgresCheckpointer; LangGraph.js: SqliteSaver, PostgresSaver.",
    "",
    table,
    ...(notes.length > 0 ? ["", ...notes] : []),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const length = Number(process.argv[2] ?? 100);
  const rounds = Number(process.argv[3] ?? 4);
  console.log(durableTable(measureDurable(length, rounds), length));
}
