import type { RunEvent, TaskRef } from "@weft/core";
import { isOpenAIRunEvent, type ToolEvent } from "@weft/openai";
import { seconds } from "./latency.js";

/** Where a task is. */
export type TaskStatus = "queued" | "limited" | "running" | "retrying" | "done" | "failed" | "cancelled";

/** One task as the display knows it, built from its events. */
export interface TaskView {
  /** Unique in the run; a subgraph's inner task has its outer task's id, `/`, then its own (`2:0/1:0`). */
  readonly taskId: string;
  readonly node: string;
  readonly step: number;
  readonly sendIndex: number | undefined;
  /** Set on a tool call of a tool node, and on a subgraph's inner task: the id of the task it is in. */
  readonly parent?: string;
  /** Set on a subgraph's inner task: the path of its events (`["write#2", "draft"]`). */
  readonly path?: readonly string[];
  readonly label: string;
  status: TaskStatus;
  /** Attempts started so far. */
  attempts: number;
  /** Run time (ms since the run started) of its first start, and of its end. */
  startedAt: number | undefined;
  endedAt: number | undefined;
  /** From `task:end`/`task:error`/`task:cancelled`: how long the task took, retries included. */
  durationMs: number | undefined;
  /** The last error, for failed and retrying tasks. */
  error: string | undefined;
  timedOut: boolean;
  /** The text streamed by the current attempt (`openai.delta` events). */
  streamed: string;
  /** Time spent waiting for a concurrency slot, and for a rate limit's turn (ms), apart from running. */
  slotWaitMs: number;
  rateWaitMs: number;
  /** What the task waits for now, since when; the limit it waits at, for a rate limit. */
  waiting: { readonly for: "slot" | "rate"; readonly since: number; readonly limit: string | undefined } | undefined;
}

/** Anything to write to: `process.stdout`, or a collector in tests. */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** What {@link Progress} takes. */
export interface ProgressOptions {
  /** Default `process.stdout`. */
  readonly out?: Output;
  /** Redraw lines in place (a terminal) or print one line per change (a log, a pipe). Default `out.isTTY`. */
  readonly tty?: boolean;
  /**
   * The name of a task on screen; default `node`, or `node #i` for a Send. Gets the state
   * committed before the task's step (in the first step, the run's input), e.g. to name a
   * Send by the item it works on.
   */
  readonly label?: (task: TaskRef, state: unknown) => string | undefined;
  /** Leave out these nodes (quick bookkeeping nodes, say). */
  readonly hide?: readonly string[];
  /**
   * The name of one tool call of a tool node (from its `openai.tool` events), shown under its
   * task; default `<tool> #<index>`. Gets the state committed before the call's step, which
   * holds the assistant message that asked for it.
   */
  readonly toolLabel?: (call: { name: string; callId: string; index: number }, state: unknown) => string | undefined;
}

const ICONS: Readonly<Record<TaskStatus, string>> = {
  queued: "⏳",
  limited: "⏸ ",
  running: "▶ ",
  retrying: "↻ ",
  done: "✅",
  failed: "❌",
  cancelled: "⛔",
};
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * A live display of a run's branches, fed with its stream events: which tasks are queued,
 * running, retrying, done, failed or cancelled, with their times. On a terminal it redraws its
 * lines in place; elsewhere it prints one timestamped line per change, so logs and tests read
 * the same story. A subgraph task's inner tasks are lines of their own, indented under it on a
 * terminal, named after it in a log (`write #2 › draft`).
 *
 * @example
 * ```ts
 * const progress = new Progress({ label: (task) => (task.node === "write" ? `write #${task.sendIndex}` : undefined) });
 * for await (const event of graph.stream(input)) progress.observe(event);
 * progress.finish();
 * ```
 */
export class Progress {
  readonly tasks = new Map<string, TaskView>();
  readonly #out: Output;
  readonly #tty: boolean;
  readonly #label: (task: TaskRef, state: unknown) => string | undefined;
  #state: unknown = undefined;
  readonly #hide: ReadonlySet<string>;
  readonly #toolLabel: NonNullable<ProgressOptions["toolLabel"]>;
  /** performance.now() at the run's start, to turn event times into wall-clock times. */
  #origin = performance.now();
  #drawn = 0;
  #frame = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: ProgressOptions = {}) {
    this.#out = options.out ?? process.stdout;
    this.#tty = options.tty ?? this.#out.isTTY === true;
    this.#label = options.label ?? (() => undefined);
    this.#hide = new Set(options.hide);
    this.#toolLabel = options.toolLabel ?? (() => undefined);
  }

  /** Takes the next event of the run. */
  observe(event: RunEvent<unknown, string>): void {
    if (event.type === "run:start") {
      this.#origin = performance.now() - event.at;
      this.#state = event.input;
      if (this.#tty) this.#timer = setInterval(() => this.#redraw(), 100);
      this.#timer?.unref?.();
      return;
    }
    let task: TaskView;
    if (event.path !== undefined) {
      const inner = this.#innerTask(event, event.path);
      if (inner === undefined) return;
      task = inner;
    } else {
      if (event.type === "step:end") this.#state = event.state;
      if (!("taskId" in event) || this.#hide.has(event.node)) {
        if (event.type === "run:end" || event.type === "run:error") this.finish();
        return;
      }
      task = this.#task(event);
    }
    if (event.type !== "custom") this.#stopWaiting(task, event.at);
    switch (event.type) {
      case "task:queued": {
        const rate = event.waitsFor === "rate";
        task.status = rate ? "limited" : "queued";
        task.waiting = { for: rate ? "rate" : "slot", since: event.at, limit: event.limit };
        this.#changed(
          task,
          event.at,
          rate ? `waiting for its turn at rate limit ${event.limit ?? ""}`.trimEnd() : "queued (waiting for a free slot)",
        );
        break;
      }
      case "task:start":
        task.status = "running";
        task.attempts = event.attempt;
        task.streamed = "";
        task.startedAt ??= event.at;
        this.#changed(task, event.at, event.attempt === 1 ? "started" : `attempt ${event.attempt} started`);
        break;
      case "task:retry":
        task.status = "retrying";
        task.error = message(event.error);
        task.timedOut = event.timedOut;
        this.#changed(task, event.at, `attempt ${event.attempt} failed (${task.error}); retrying in ${seconds(event.delayMs)}`);
        break;
      case "task:end":
        this.#settle(task, "done", event);
        this.#changed(
          task,
          event.at,
          `done in ${seconds(event.durationMs)}${event.attempts > 1 ? ` after ${event.attempts} attempts` : ""}${waited(task)}`,
        );
        break;
      case "task:error":
        task.error = message(event.error);
        task.timedOut = event.timedOut;
        this.#settle(task, "failed", event);
        this.#changed(
          task,
          event.at,
          `failed after ${seconds(event.durationMs)}${event.attempts > 1 ? ` and ${event.attempts} attempts` : ""}: ${task.error}`,
        );
        break;
      case "task:cancelled":
        this.#settle(task, "cancelled", event);
        this.#changed(task, event.at, `cancelled after ${seconds(event.durationMs)}`);
        break;
      case "custom":
        if (isOpenAIRunEvent(event, "openai.delta") && event.data.attempt === task.attempts) {
          task.streamed += event.data.text;
        }
        if (isOpenAIRunEvent(event, "openai.tool")) this.#toolEvent(task, event.data, event.at);
        break;
      default:
        break;
    }
  }

  /** Stops redrawing and leaves the last picture on screen. Safe to call more than once. */
  finish(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#tty) this.#redraw();
  }

  /** The tasks in the order they appeared. */
  views(): TaskView[] {
    return [...this.tasks.values()];
  }

  /** The view of a task; an inner task's (with the task it is in and its path) is named by its node. */
  #task(ref: TaskRef, inner?: { readonly outer: TaskView; readonly path: readonly string[] }): TaskView {
    const id = inner === undefined ? ref.taskId : `${inner.outer.taskId}/${ref.taskId}`;
    let task = this.tasks.get(id);
    if (task === undefined) {
      const fallback = ref.sendIndex === undefined ? ref.node : `${ref.node} #${ref.sendIndex}`;
      task = {
        taskId: id,
        node: ref.node,
        step: ref.step,
        sendIndex: ref.sendIndex,
        ...(inner === undefined ? {} : { parent: inner.outer.taskId, path: inner.path }),
        label: inner === undefined ? (this.#label(ref, this.#state) ?? fallback) : fallback,
        status: "queued",
        attempts: 0,
        startedAt: undefined,
        endedAt: undefined,
        durationMs: undefined,
        error: undefined,
        timedOut: false,
        streamed: "",
        slotWaitMs: 0,
        rateWaitMs: 0,
        waiting: undefined,
      };
      this.tasks.set(id, task);
    }
    return task;
  }

  /**
   * The line of a subgraph's inner task (its event has a `path`): under the task its path names,
   * the latest of that name. Its task ids and steps are the inner run's own, and its states are
   * not this run's; an inner step's events make no line. The text it streams counts for the
   * outermost task too, as that task's own would.
   */
  #innerTask(event: RunEvent<unknown, string>, path: readonly string[]): TaskView | undefined {
    if (!("taskId" in event)) return undefined;
    let outer: TaskView | undefined;
    for (const name of path.slice(0, -1)) {
      outer = this.views().findLast(
        (task) =>
          segment(task) === name &&
          (outer === undefined ? task.parent === undefined : task.parent === outer.taskId && task.path !== undefined),
      );
      if (outer === undefined) return undefined;
    }
    const top = this.views().findLast((task) => segment(task) === path[0] && task.parent === undefined);
    if (top?.status === "running") {
      if (event.type === "task:start") top.streamed = "";
      if (event.type === "custom" && isOpenAIRunEvent(event, "openai.delta")) top.streamed += event.data.text;
    }
    return outer === undefined ? undefined : this.#task(event, { outer, path });
  }

  /** A task's name in a log line: an inner task's is the names of the tasks it is in, then its own. */
  #fullName(task: TaskView): string {
    const parent = task.path === undefined || task.parent === undefined ? undefined : this.tasks.get(task.parent);
    return parent === undefined ? task.label : `${this.#fullName(parent)} › ${task.label}`;
  }

  /** The tasks as lines: each followed by the tasks it holds, with how deep each is. */
  #lines(): { readonly task: TaskView; readonly depth: number }[] {
    const views = this.views();
    const lines: { task: TaskView; depth: number }[] = [];
    const add = (task: TaskView, depth: number): void => {
      lines.push({ task, depth });
      // A tool call's name already holds its task's: it stays at its task's depth.
      for (const child of views) if (child.parent === task.taskId) add(child, child.path === undefined ? depth : depth + 1);
    };
    for (const task of views) if (task.parent === undefined) add(task, 0);
    return lines;
  }

  /** A tool call shows as a line of its own, under its tool node's task. */
  #toolEvent(task: TaskView, data: ToolEvent, at: number): void {
    const id = `${task.taskId}/${data.callId}`;
    let call = this.tasks.get(id);
    if (call === undefined) {
      const name = this.#toolLabel(data, this.#state) ?? `${data.name} #${data.index}`;
      call = {
        taskId: id,
        node: task.node,
        step: task.step,
        sendIndex: data.index,
        parent: task.taskId,
        label: `${task.label} → ${name}`,
        status: "running",
        attempts: 1,
        startedAt: at,
        endedAt: undefined,
        durationMs: undefined,
        error: undefined,
        timedOut: false,
        streamed: "",
        slotWaitMs: 0,
        rateWaitMs: 0,
        waiting: undefined,
      };
      this.tasks.set(id, call);
    }
    if (data.phase === "start") {
      this.#changed(call, at, "started");
      return;
    }
    call.status = data.ok === false ? "failed" : "done";
    call.endedAt = at;
    call.durationMs = data.durationMs;
    this.#changed(call, at, `${call.status === "done" ? "done" : "failed"} in ${seconds(data.durationMs ?? 0)}`);
  }

  /** The task stops waiting (it starts, waits for something else, or ends): the wait is added to its kind. */
  #stopWaiting(task: TaskView, at: number): void {
    const waiting = task.waiting;
    if (waiting === undefined) return;
    if (waiting.for === "rate") task.rateWaitMs += at - waiting.since;
    else task.slotWaitMs += at - waiting.since;
    task.waiting = undefined;
  }

  #settle(task: TaskView, status: TaskStatus, event: { at: number; durationMs: number }): void {
    task.status = status;
    task.endedAt = event.at;
    task.durationMs = event.durationMs;
  }

  #changed(task: TaskView, at: number, what: string): void {
    if (this.#tty) {
      this.#redraw();
      return;
    }
    this.#out.write(`  [${seconds(at).padStart(6)}] ${ICONS[task.status]} ${this.#fullName(task)} ${what}\n`);
  }

  #redraw(): void {
    const now = performance.now() - this.#origin;
    const lines = this.#lines();
    const name = ({ task, depth }: { task: TaskView; depth: number }): string => `${"  ".repeat(depth)}${task.label}`;
    const width = Math.max(...lines.map((line) => name(line).length), 0);
    const columns = this.#out.columns ?? 100;
    this.#frame++;
    let text = this.#drawn > 0 ? `\x1b[${this.#drawn}F` : "";
    for (const line of lines) {
      const { task } = line;
      const icon = task.status === "running" ? `${SPINNER[this.#frame % SPINNER.length]} ` : ICONS[task.status];
      text += `\x1b[2K${truncate(`  ${icon} ${name(line).padEnd(width)}  ${this.#detail(task, now)}`, columns - 1)}\n`;
    }
    this.#drawn = lines.length;
    this.#out.write(text);
  }

  #detail(task: TaskView, now: number): string {
    const attempt = task.attempts > 1 ? ` (attempt ${task.attempts})` : "";
    switch (task.status) {
      case "queued":
        return `queued ${seconds(now - (task.waiting?.since ?? now))}`;
      case "limited":
        return `rate limited ${seconds(now - (task.waiting?.since ?? now))}${task.waiting?.limit === undefined ? "" : ` (${task.waiting.limit})`}`;
      case "running": {
        const count = countWords(task.streamed);
        const words = count > 0 ? ` · ${count} words` : "";
        return `running ${seconds(now - (task.startedAt ?? now))}${attempt}${words}`;
      }
      case "retrying":
        return `retrying after: ${task.error}`;
      case "done":
        return `${seconds(task.durationMs ?? 0)}${task.attempts > 1 ? ` (${task.attempts} attempts)` : ""}${waited(task)}`;
      case "failed":
        return `failed after ${seconds(task.durationMs ?? 0)}${attempt}: ${task.error}`;
      case "cancelled":
        return `cancelled after ${seconds(task.durationMs ?? 0)}`;
    }
  }
}

/** `; waited 1.20s for a slot, 0.50s for rate limits`, or nothing when the task never waited. */
function waited(task: TaskView): string {
  const parts: string[] = [];
  if (task.slotWaitMs > 0) parts.push(`${seconds(task.slotWaitMs)} for a slot`);
  if (task.rateWaitMs > 0) parts.push(`${seconds(task.rateWaitMs)} for rate limits`);
  return parts.length === 0 ? "" : `; waited ${parts.join(", ")}`;
}

/** How a path names a task: its node, with `#` and its Send index when a Send started it. */
function segment(task: TaskView): string {
  return task.sendIndex === undefined ? task.node : `${task.node}#${task.sendIndex}`;
}

/** An error's message, without the stack. */
export function message(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) return String(error.message);
  return String(error);
}

function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => word.length > 0).length;
}

function truncate(line: string, columns: number): string {
  const chars = [...line];
  return chars.length <= columns ? line : `${chars.slice(0, columns - 1).join("")}…`;
}
