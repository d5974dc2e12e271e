import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { SerializedError } from "@weft/core/draw";
import type { EventStore, RunInfo, RunStatus, StoredEvent } from "./event-store.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS weft_runs (
  run_id TEXT PRIMARY KEY,
  graph TEXT NOT NULL,
  thread_id TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  error TEXT,
  events INTEGER NOT NULL DEFAULT 0,
  position INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS weft_runs_thread ON weft_runs (graph, thread_id, position);
CREATE TABLE IF NOT EXISTS weft_run_events (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
`;

interface RunRow {
  run_id: string;
  graph: string;
  thread_id: string;
  status: string;
  started_at: number;
  ended_at: number | null;
  error: string | null;
  events: number;
}

/**
 * Keeps run events in a SQLite file through `node:sqlite`, so the events of finished runs
 * outlive a server restart (within their retention window). One server per file.
 *
 * @example
 * ```ts
 * import { serveGraphs, SqliteEventStore } from "@weft/server";
 *
 * const server = await serveGraphs({ graphs: { report: graph }, events: new SqliteEventStore("./events.db") });
 * ```
 * @see ../../../../docs/guides/server.md
 */
export class SqliteEventStore implements EventStore {
  readonly #db: DatabaseSync;
  readonly #owned: boolean;
  readonly #sql: Record<
    "create" | "append" | "count" | "read" | "end" | "get" | "lost" | "pruneEvents" | "pruneRuns" | "listAll" | "listGraph" | "listThread",
    StatementSync
  >;

  /** A file path (or `":memory:"`), or an open database that you keep and close yourself. */
  constructor(database: string | DatabaseSync) {
    this.#owned = typeof database === "string";
    this.#db = typeof database === "string" ? new DatabaseSync(database, { timeout: 5000 }) : database;
    // WAL with synchronous=NORMAL: a commit does not wait for the disk; a power loss may drop
    // the last events written, never corrupt the file.
    if (typeof database === "string" && database !== ":memory:") this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
    this.#db.exec(SCHEMA);
    const select = "SELECT run_id, graph, thread_id, status, started_at, ended_at, error, events FROM weft_runs";
    this.#sql = {
      create: this.#db.prepare(
        "INSERT INTO weft_runs (run_id, graph, thread_id, status, started_at, position) VALUES (?, ?, ?, 'running', ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM weft_runs))",
      ),
      append: this.#db.prepare("INSERT INTO weft_run_events (run_id, seq, type, data) VALUES (?, ?, ?, ?)"),
      count: this.#db.prepare("UPDATE weft_runs SET events = ? WHERE run_id = ?"),
      read: this.#db.prepare("SELECT seq, type, data FROM weft_run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?"),
      end: this.#db.prepare("UPDATE weft_runs SET status = ?, ended_at = ?, error = ? WHERE run_id = ?"),
      get: this.#db.prepare(`${select} WHERE run_id = ?`),
      lost: this.#db.prepare("UPDATE weft_runs SET status = 'lost', ended_at = ? WHERE status = 'running'"),
      pruneEvents: this.#db.prepare(
        "DELETE FROM weft_run_events WHERE run_id IN (SELECT run_id FROM weft_runs WHERE ended_at IS NOT NULL AND ended_at < ?)",
      ),
      pruneRuns: this.#db.prepare("DELETE FROM weft_runs WHERE ended_at IS NOT NULL AND ended_at < ?"),
      listAll: this.#db.prepare(`${select} ORDER BY position DESC LIMIT ?`),
      listGraph: this.#db.prepare(`${select} WHERE graph = ? ORDER BY position DESC LIMIT ?`),
      listThread: this.#db.prepare(`${select} WHERE graph = ? AND thread_id = ? ORDER BY position DESC LIMIT ?`),
    };
  }

  async createRun(run: { runId: string; graph: string; threadId: string; startedAt: number }): Promise<void> {
    this.#sql.create.run(run.runId, run.graph, run.threadId, run.startedAt);
  }

  async append(runId: string, events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.#transaction(() => {
      for (const event of events) this.#sql.append.run(runId, event.seq, event.type, event.data);
      this.#sql.count.run(events.at(-1)!.seq, runId);
    });
  }

  async read(runId: string, options: { after: number; limit: number }): Promise<StoredEvent[]> {
    return this.#sql.read.all(runId, options.after, options.limit) as unknown as StoredEvent[];
  }

  async endRun(runId: string, end: { status: Exclude<RunStatus, "running">; endedAt: number; error?: SerializedError }): Promise<void> {
    this.#sql.end.run(end.status, end.endedAt, end.error === undefined ? null : JSON.stringify(end.error), runId);
  }

  async getRun(runId: string): Promise<RunInfo | undefined> {
    const row = this.#sql.get.get(runId) as RunRow | undefined;
    return row === undefined ? undefined : toInfo(row);
  }

  async listRuns(filter: { graph?: string; threadId?: string; limit?: number }): Promise<RunInfo[]> {
    const limit = filter.limit ?? -1;
    const rows =
      filter.graph === undefined
        ? this.#sql.listAll.all(limit)
        : filter.threadId === undefined
          ? this.#sql.listGraph.all(filter.graph, limit)
          : this.#sql.listThread.all(filter.graph, filter.threadId, limit);
    return (rows as unknown as RunRow[]).map(toInfo);
  }

  async markLost(endedAt: number): Promise<number> {
    return Number(this.#sql.lost.run(endedAt).changes);
  }

  async prune(endedBefore: number): Promise<number> {
    return this.#transaction(() => {
      this.#sql.pruneEvents.run(endedBefore);
      return Number(this.#sql.pruneRuns.run(endedBefore).changes);
    });
  }

  async close(): Promise<void> {
    if (this.#owned && this.#db.isOpen) this.#db.close();
  }

  #transaction<T>(work: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw error;
    }
  }
}

function toInfo(row: RunRow): RunInfo {
  return {
    runId: row.run_id,
    graph: row.graph,
    threadId: row.thread_id,
    status: row.status as RunStatus,
    startedAt: Number(row.started_at),
    ...(row.ended_at === null ? {} : { endedAt: Number(row.ended_at) }),
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as SerializedError }),
    events: Number(row.events),
  };
}
