import { deepFreeze } from "../state/freeze.js";
import type { z } from "zod";
import { GraphError, graphError, isGraphError } from "../errors.js";
import { END } from "../graph/constants.js";
import type { GraphIR } from "../graph/ir.js";
import type { StateTable } from "../state/table.js";
import type { Checkpointer, CheckpointRow } from "./checkpointer.js";
import { checkPlace, decodeRecord, encodeRecord, type Integrity, type RecordPlace } from "./format.js";
import { LoadedValues } from "./loaded-values.js";
import {
  parseCheckpointBody,
  parseTaskResultBody,
  type CheckpointBody,
  type SavedError,
  type TaskResultBody,
  type WriteBody,
} from "./bodies.js";
import { stepKey } from "../records/attempt.js";
import type { SavedBudget, ScopeLimit, Spent } from "../records/budget.js";
import type { PendingInterrupt } from "../records/interrupt.js";
import type { TaskRef } from "../records/task-ref.js";
import { malformedStep, parseStepResult, unstorableStep, type StepPlace } from "./step-results.js";
import type { FrontierTask, PlannerState } from "../records/frontier.js";
import { type Snapshot, type Write, writerName } from "../records/write.js";
import { nodeCrypto } from "../lazy/builtins.js";

export type { CheckpointBody, SavedError } from "./bodies.js";

/** A finished task's result as plain data: what a resume needs so that it does not run the task again. */
export type SavedTaskResult = (
  | {
      readonly status: "done";
      readonly write: Write | undefined;
      readonly triggers: readonly string[];
      readonly sends: readonly { readonly node: string; readonly input: unknown; readonly budget?: readonly ScopeLimit[] | undefined }[];
      readonly recovered: { readonly error: SavedError; readonly attempts: number; readonly timedOut: boolean } | null;
    }
  | {
      readonly status: "interrupted";
      /** The pending interrupt without its task, which the record's place names. */
      readonly interrupt: Omit<PendingInterrupt, keyof TaskRef>;
      readonly resumes: readonly unknown[];
    }
  | { readonly status: "failed"; readonly error: SavedError; readonly attempts: number; readonly timedOut: boolean }
) & {
  /** What the task spent (its reported usage), so that a resume does not give it back. */
  readonly usage?: Spent | undefined;
};

/** A checkpoint read back and replayed: its row, its content and the state it stands for. */
export interface LoadedCheckpoint {
  readonly row: CheckpointRow;
  readonly body: CheckpointBody;
  readonly state: Snapshot;
}

/**
 * The thread's latest checkpoint as a writer knows it: a new checkpoint is written on top of it
 * (`put`'s `head`) and takes the next sequence number.
 */
export interface ThreadHead {
  readonly checkpointId: string;
  readonly seq: number;
}

/** The head a loaded or just-saved checkpoint stands for, when it is the thread's latest. */
export const headOf = (checkpoint: LoadedCheckpoint): ThreadHead => ({
  checkpointId: checkpoint.row.checkpointId,
  seq: checkpoint.body.seq,
});

/** Options of the thread store, from `compile()`. */
export interface ThreadStoreOptions extends Integrity {
  /** Also take a full snapshot after this many checkpoints without one. Default: no such bound. */
  readonly snapshotEvery?: number;
}

/** What a {@link ThreadStore} knows of its graph, computed once per compiled graph. */
export interface ThreadGraph {
  readonly ir: GraphIR;
  readonly table: StateTable;
  readonly options: ThreadStoreOptions;
  readonly values: LoadedValues;
  /** A hash of the graph's node names and state keys, part of every record's place. */
  readonly fingerprint: string;
}

/** The {@link ThreadGraph} of a graph. */
export function threadGraph(ir: GraphIR, table: StateTable, options: ThreadStoreOptions = {}): ThreadGraph {
  const shape = { nodes: [...ir.nodes.keys()].sort(), keys: [...table.channels.keys()].sort() };
  const fingerprint = nodeCrypto().createHash("sha256").update(JSON.stringify(shape)).digest("hex").slice(0, 16);
  return { ir, table, options, values: new LoadedValues(ir, table), fingerprint };
}

/**
 * Reads and writes one graph's threads through a {@link Checkpointer}: encodes checkpoints and
 * task results, replays a checkpoint's state from its last snapshot and the writes since, and
 * decides when a snapshot is due.
 */
export class ThreadStore {
  readonly checkpointer: Checkpointer;
  readonly #fingerprint: string;
  readonly #snapshotEvery: number | undefined;
  readonly #ir: GraphIR;
  readonly #table: StateTable;
  readonly #options: ThreadStoreOptions;
  readonly #values: LoadedValues;

  constructor(checkpointer: Checkpointer, graph: ThreadGraph) {
    this.checkpointer = checkpointer;
    this.#ir = graph.ir;
    this.#table = graph.table;
    this.#options = graph.options;
    this.#values = graph.values;
    this.#fingerprint = graph.fingerprint;
    this.#snapshotEvery = graph.options.snapshotEvery;
  }

  /** The same store reading and writing through `checkpointer` (one a run bounds in time, say). */
  through(checkpointer: Checkpointer): ThreadStore {
    return new ThreadStore(checkpointer, {
      ir: this.#ir,
      table: this.#table,
      options: this.#options,
      values: this.#values,
      fingerprint: this.#fingerprint,
    });
  }

  /** The checkpoint with `checkpointId` (default: the latest), with its state replayed. */
  async load(threadId: string, checkpointId?: string): Promise<LoadedCheckpoint | undefined> {
    const decoded = new Map<string, CheckpointBody>();
    let row: CheckpointRow | undefined;
    if (checkpointId === undefined) {
      // The latest, with the one put before it: an older checkpoint put back as the newest
      // has a lower sequence number than the checkpoint it hides.
      const [latest, previous] = await this.checkpointer.list(threadId, { limit: 2 });
      row = latest;
      if (latest !== undefined && previous !== undefined) {
        const latestBody = this.#decodeCheckpoint(latest, threadId);
        const previousBody = this.#decodeCheckpoint(previous, threadId);
        decoded.set(latest.checkpointId, latestBody).set(previous.checkpointId, previousBody);
        if (latestBody.seq <= previousBody.seq) {
          throw new GraphError(
            "INVALID_CHECKPOINT",
            `Thread "${threadId}": its latest checkpoint "${latest.checkpointId}" has write sequence number ${latestBody.seq}, ` +
              `but checkpoint "${previous.checkpointId}" before it has ${previousBody.seq}: an older checkpoint was put back as the newest.`,
            { details: { threadId, checkpointId: latest.checkpointId, seq: latestBody.seq, previous: previous.checkpointId } },
          );
        }
      }
    } else {
      row = await this.checkpointer.get(threadId, checkpointId);
    }
    if (row === undefined) {
      if (checkpointId === undefined) return undefined;
      throw new GraphError("UNKNOWN_THREAD", `Thread "${threadId}" has no checkpoint "${checkpointId}".`, {
        details: { threadId, checkpointId },
      });
    }
    const chain: { row: CheckpointRow; body: CheckpointBody }[] = [];
    for (let current: CheckpointRow | undefined = row; ; ) {
      const body = decoded.get(current.checkpointId) ?? this.#decodeCheckpoint(current, threadId);
      chain.push({ row: current, body });
      if (body.snapshot !== null) break;
      const parentId: string | undefined = current.parentId;
      current = parentId === undefined ? undefined : await this.checkpointer.get(threadId, parentId);
      if (current === undefined) {
        throw new GraphError(
          "INVALID_CHECKPOINT",
          `Thread "${threadId}": checkpoint "${chain.at(-1)!.row.checkpointId}" has no snapshot and its parent is missing.`,
          { details: { threadId } },
        );
      }
    }
    let state = deepFreeze(chain.at(-1)!.body.snapshot!) as Snapshot;
    for (let i = chain.length - 1; i >= 0; i--) {
      const { row: at, body } = chain[i]!;
      if (i === chain.length - 1) continue;
      const where = describeCheckpoint(at);
      state = replay(this.#table, {
        state,
        writes: body.writes.map((write) => this.#values.write(toWrite(write), where)),
        step: body.step,
        where,
      });
    }
    if (chain.length > 1) this.#values.replayed(state, describeCheckpoint(row));
    return { row, body: chain[0]!.body, state };
  }

  /** The thread's latest checkpoint as a head to write on; null for a thread with none. */
  async head(threadId: string): Promise<ThreadHead | null> {
    const row = await this.checkpointer.get(threadId);
    return row === undefined ? null : { checkpointId: row.checkpointId, seq: this.#decodeCheckpoint(row, threadId).seq };
  }

  /**
   * Saves a checkpoint after `parent`, on top of `entry.head` (the thread's latest checkpoint as
   * the run knows it; `CHECKPOINT_CONFLICT` if another writer moved it); returns its row. Takes
   * a snapshot when one is due.
   */
  async save(
    threadId: string,
    parent: LoadedCheckpoint | { row: CheckpointRow | undefined; body: CheckpointBody | undefined },
    entry: {
      readonly source: CheckpointBody["source"];
      readonly step: number;
      readonly writes: readonly Write[];
      readonly state: Snapshot;
      readonly next: readonly FrontierTask[];
      readonly planner: PlannerState;
      readonly head: ThreadHead | null;
      /** The earlier checkpoint whose next step this one keeps, if any. */
      readonly tasksOf?: string | undefined;
      /** What the run spent and its limit; undefined when it has neither. */
      readonly budget?: SavedBudget | undefined;
    },
  ): Promise<LoadedCheckpoint> {
    const checkpointId = `${String(entry.step).padStart(6, "0")}-${nodeCrypto().randomBytes(6).toString("hex")}`;
    const since = parent.body?.since ?? { steps: 0, bytes: 0 };
    const body: CheckpointBody = {
      graph: this.#ir.name,
      seq: (entry.head?.seq ?? 0) + 1,
      createdAt: new Date().toISOString(),
      source: entry.source,
      step: entry.step,
      writes: entry.writes.map(fromWrite),
      snapshot: null,
      next: [...entry.next] as CheckpointBody["next"],
      planner: { ...entry.planner, joins: entry.planner.joins.map((join) => [...join]) } as CheckpointBody["planner"],
      since: { steps: since.steps + 1, bytes: since.bytes },
      snapshotBytes: parent.body?.snapshotBytes ?? 0,
      ...(entry.tasksOf === undefined ? {} : { tasksOf: entry.tasksOf }),
    };
    if (entry.budget !== undefined) body.budget = entry.budget as CheckpointBody["budget"];
    const place: RecordPlace = {
      thread: threadId,
      checkpoint: checkpointId,
      parent: parent.row?.checkpointId ?? null,
      fingerprint: this.#fingerprint,
    };
    let data = encodeRecord("checkpoint", place, body, this.#options);
    body.since.bytes += data.length;
    const due = snapshotDue(parent.row === undefined, body, this.#snapshotEvery);
    if (due) {
      body.snapshot = { ...entry.state };
      body.since = { steps: 0, bytes: 0 };
      data = encodeRecord("checkpoint", place, body, this.#options);
      body.snapshotBytes = data.length;
      data = encodeRecord("checkpoint", place, body, this.#options);
    } else {
      data = encodeRecord("checkpoint", place, body, this.#options);
    }
    const row: CheckpointRow = { threadId, checkpointId, parentId: parent.row?.checkpointId, step: entry.step, data };
    await this.checkpointer.put(row, { head: entry.head?.checkpointId ?? null });
    return { row, body, state: entry.state };
  }

  /** Saves what a finished task of the step after `checkpointId` produced, so a resume does not run it again. */
  async saveTaskResult(
    threadId: string,
    checkpointId: string,
    task: { readonly taskId: string; readonly node: string; readonly result: SavedTaskResult },
  ): Promise<void> {
    const body = toResultBody(task.result);
    let data: string;
    try {
      const place: RecordPlace = { thread: threadId, checkpoint: checkpointId, task: task.taskId, fingerprint: this.#fingerprint };
      data = encodeRecord("task", place, body, this.#options);
    } catch (error) {
      throw unstorable(error, task.node, body);
    }
    await this.checkpointer.putTaskResult({ threadId, checkpointId, taskId: task.taskId, data });
  }

  /** The saved task results of the step after `checkpointId`, by task id. */
  async taskResults(threadId: string, checkpointId: string): Promise<Map<string, SavedTaskResult>> {
    const rows = await this.checkpointer.getTaskResults(threadId, checkpointId);
    const results = new Map<string, SavedTaskResult>();
    for (const row of rows) {
      const where = `Task result "${row.taskId}" of checkpoint "${checkpointId}" in thread "${threadId}"`;
      const record = decodeRecord("task", row.data, where, this.#options);
      this.#checkFingerprint(where, record.place.fingerprint, undefined);
      checkPlace(where, record.place, { thread: threadId, checkpoint: checkpointId, task: row.taskId });
      const parsed = parseTaskResultBody(record.body);
      if (!parsed.success) throw malformed(where, parsed.error);
      results.set(row.taskId, this.#checkTaskResult(parsed.data, where));
    }
    return results;
  }

  /**
   * Saves a finished `ctx.step` of the task `taskId` of the step after `checkpointId`, unless
   * one is saved already under the same key; returns the value saved now (the earlier one wins).
   * A value the codec cannot carry is an `INVALID_STEP` error naming the node and the step.
   */
  async saveStepResult(
    at: { readonly threadId: string; readonly checkpointId: string; readonly taskId: string },
    step: StepPlace & { readonly value: unknown },
  ): Promise<unknown> {
    const { threadId, checkpointId, taskId } = at;
    const key = stepKey(step.name, step.occurrence);
    let data: string;
    try {
      const place: RecordPlace = { thread: threadId, checkpoint: checkpointId, task: taskId, step: key, fingerprint: this.#fingerprint };
      data = encodeRecord("step", place, { name: step.name, value: step.value }, this.#options);
    } catch (error) {
      throw unstorableStep(error, step);
    }
    const saved = await this.checkpointer.putStepResult({ threadId, checkpointId, taskId, stepKey: key, data });
    if (saved.data === data) return step.value;
    return this.#decodeStep(saved, at).value;
  }

  /** The saved `ctx.step` results of one task of the step after `checkpointId`, by step key. */
  async stepResults(threadId: string, checkpointId: string, taskId: string): Promise<Map<string, unknown>> {
    const rows = await this.checkpointer.getStepResults(threadId, checkpointId, taskId);
    const results = new Map<string, unknown>();
    for (const row of rows) results.set(row.stepKey, this.#decodeStep(row, { threadId, checkpointId, taskId }).value);
    return results;
  }

  /** The saved `ctx.step` results of one task, checked, as steps to save elsewhere (a resume's new checkpoint). */
  async savedSteps(
    threadId: string,
    checkpointId: string,
    taskId: string,
  ): Promise<{ name: string; occurrence: number; value: unknown }[]> {
    const rows = await this.checkpointer.getStepResults(threadId, checkpointId, taskId);
    return rows.map((row) => {
      const { name, value } = this.#decodeStep(row, { threadId, checkpointId, taskId });
      return { name, occurrence: Number(row.stepKey.slice(name.length + 1)), value };
    });
  }

  #decodeStep(
    row: { readonly stepKey: string; readonly data: string },
    at: { readonly threadId: string; readonly checkpointId: string; readonly taskId: string },
  ): { name: string; value: unknown } {
    const where = `Step result "${row.stepKey}" of task "${at.taskId}" of checkpoint "${at.checkpointId}" in thread "${at.threadId}"`;
    const record = decodeRecord("step", row.data, where, this.#options);
    this.#checkFingerprint(where, record.place.fingerprint, undefined);
    checkPlace(where, record.place, { thread: at.threadId, checkpoint: at.checkpointId, task: at.taskId, step: row.stepKey });
    const parsed = parseStepResult(record.body);
    if (!parsed.success) throw malformedStep(where, parsed.error);
    const { name, value } = parsed.data;
    if (!row.stepKey.startsWith(`${name}#`)) {
      throw new GraphError("INVALID_CHECKPOINT", `${where} was refused: it holds step "${name}", not the step its key names.`, {
        details: { where, field: "step" },
      });
    }
    return { name, value };
  }

  /** Decodes and checks a checkpoint `threadId` asked for (a store may return another thread's row). */
  #decodeCheckpoint(row: CheckpointRow, threadId: string): CheckpointBody {
    const where = describeCheckpoint(row);
    const record = decodeRecord("checkpoint", row.data, where, this.#options);
    const parsed = parseCheckpointBody(record.body);
    if (!parsed.success) throw malformed(where, parsed.error);
    const body = parsed.data;
    this.#checkFingerprint(where, record.place.fingerprint, body.graph);
    checkPlace(where, record.place, { thread: threadId, checkpoint: row.checkpointId, parent: row.parentId ?? null });
    if (body.step !== row.step) {
      throw new GraphError("INVALID_CHECKPOINT", `${where} was refused: it closes step ${body.step}, but its row says step ${row.step}.`, {
        details: { where, field: "step" },
      });
    }
    if (body.snapshot !== null) this.#values.snapshot(body.snapshot, where);
    const next = body.next.map((task) => {
      if (task.sendIndex === undefined) {
        this.#values.node(task.node, where);
        return task;
      }
      return { ...task, input: this.#values.send({ node: task.node, input: task.input }, where) };
    });
    for (const join of body.planner.joins) for (const node of join) this.#values.node(node, where);
    for (const node of body.planner.deferredNodes) this.#values.node(node, where);
    const deferredSends = body.planner.deferredSends.map((send) => ({ ...send, input: this.#values.send(send, where) }));
    return { ...body, next, planner: { ...body.planner, deferredSends } };
  }

  #checkTaskResult(result: TaskResultBody, where: string): SavedTaskResult {
    if (result.status !== "done") return result;
    const write = result.write === null ? undefined : this.#values.write(toWrite(result.write), where);
    for (const node of result.triggers) if (node !== END) this.#values.node(node, where);
    const sends = result.sends.map((send) => ({ ...send, input: deepFreeze(this.#values.send(send, where)) }));
    return { ...result, write, sends };
  }

  /** `graph`: the name of the graph that wrote the record, when the record says. */
  #checkFingerprint(where: string, fingerprint: string, graph: string | undefined): void {
    if (fingerprint === this.#fingerprint) return;
    const writer = graph === undefined ? "another graph" : `graph "${graph}"`;
    throw new GraphError(
      "INVALID_CHECKPOINT",
      `${where} was written by ${writer} with other nodes or state keys than graph "${this.#ir.name}" has: resume it with the graph that wrote it.`,
      { details: { where, graph, field: "fingerprint" } },
    );
  }
}

/**
 * A snapshot is taken once the checkpoints stored since the last one weigh this many times as
 * much as it. Each snapshot is then outweighed by the writes before it: snapshots add at most
 * 1 / SNAPSHOT_WEIGHT to what the writes cost, whatever the state's size, and reading a
 * checkpoint replays at most this many snapshots' worth of writes.
 */
export const SNAPSHOT_WEIGHT = 4;

/**
 * Whether a checkpoint takes a snapshot: a thread's first does; then one whose checkpoints
 * since the last snapshot (itself included) weigh {@link SNAPSHOT_WEIGHT} times that snapshot,
 * or number `snapshotEvery` when that option is set.
 */
export function snapshotDue(
  first: boolean,
  body: Pick<CheckpointBody, "since" | "snapshotBytes">,
  snapshotEvery: number | undefined,
): boolean {
  if (first) return true;
  if (snapshotEvery !== undefined && body.since.steps >= snapshotEvery) return true;
  return body.since.bytes >= SNAPSHOT_WEIGHT * body.snapshotBytes;
}

const describeCheckpoint = (row: CheckpointRow): string => `Checkpoint "${row.checkpointId}" of thread "${row.threadId}"`;

function toWrite(write: WriteBody): Write {
  return {
    writer: write.writer,
    values: deepFreeze(write.values),
    overwrite: write.overwrite === undefined ? undefined : new Set(write.overwrite),
  };
}

function fromWrite(write: Write): WriteBody {
  return write.overwrite === undefined || write.overwrite.size === 0
    ? { writer: writerName(write.writer), values: { ...write.values } }
    : { writer: writerName(write.writer), values: { ...write.values }, overwrite: [...write.overwrite] };
}

/**
 * A task result a checkpoint cannot store, named by the task's node and the key it wrote or
 * the node it sent to, and the path inside the value.
 */
function unstorable(error: unknown, node: string, body: TaskResultBody): unknown {
  const path = isGraphError(error) ? error.details.path : undefined;
  if (typeof path !== "string") return error;
  const problem = (error as Error).message;
  if (path.startsWith("value.write.values.")) {
    const where = path.slice("value.write.values.".length);
    return graphError(
      "INVALID_UPDATE",
      "unstorable",
      { node, key: where.split(/[.[<]/)[0], path: where, problem: problem.replace(path, where) },
      error,
    );
  }
  if (path.startsWith("value.interrupt.")) {
    const where = path.slice("value.interrupt.".length);
    return graphError("INVALID_UPDATE", "unstorableInterrupt", { node, path: where, problem: problem.replace(path, where) }, error);
  }
  const send = /^value\.sends\[(\d+)\]\.(input.*)$/.exec(path);
  if (send === null || body.status !== "done") return error;
  const where = send[2]!;
  const target = body.sends[Number(send[1])]!.node;
  return graphError("INVALID_UPDATE", "unstorableSend", { node, target, path: where, problem: problem.replace(path, where) }, error);
}

function toResultBody(result: SavedTaskResult): TaskResultBody {
  const body = resultBody(result);
  return result.usage === undefined ? body : { ...body, usage: { ...result.usage } };
}

function resultBody(result: SavedTaskResult): TaskResultBody {
  switch (result.status) {
    case "done":
      return {
        status: "done",
        write: result.write === undefined ? null : fromWrite(result.write),
        triggers: [...result.triggers],
        sends: result.sends.map((send) =>
          send.budget === undefined
            ? { node: send.node, input: send.input }
            : { node: send.node, input: send.input, budget: [...send.budget] },
        ),
        recovered: result.recovered,
      };
    case "interrupted": {
      const { path, ...interrupt } = result.interrupt;
      return {
        status: "interrupted",
        interrupt: path === undefined ? interrupt : { ...interrupt, path: [...path] },
        resumes: [...result.resumes],
      };
    }
    case "failed":
      return { status: "failed", error: result.error, attempts: result.attempts, timedOut: result.timedOut };
  }
}

function malformed(where: string, error: z.ZodError): GraphError {
  return new GraphError("INVALID_CHECKPOINT", `${where} does not have the structure of a Weft checkpoint: ${error.issues[0]?.message}`, {
    cause: error,
    details: { where },
  });
}

/**
 * Commits a stored step's writes again. A reducer result its key's schema rejects means the
 * record was changed (or the graph's reducer was): the checkpoint is refused, naming the key.
 */
function replay(
  table: StateTable,
  { state, writes, step, where }: { state: Snapshot; writes: readonly Write[]; step: number; where: string },
): Snapshot {
  try {
    return table.commit(state, writes, step);
  } catch (error) {
    if (!isGraphError(error) || error.code !== "INVALID_UPDATE" || error.details.key === undefined) throw error;
    const { key, problem = error.message } = error.details;
    throw graphError("INVALID_CHECKPOINT", "invalidValue", { where, key, problem }, error);
  }
}
