import type { RecordedRunEvent } from "@weft/core/draw";

/** A run event as the page receives it: serialized, with its id within the run. */
export type StudioEvent = RecordedRunEvent & { readonly id: number };

/**
 * `pending`: planned for its step, not started yet; `queued`: waiting for a slot of a
 * concurrency limit (the engine's `task:queued`).
 */
export type TaskStatus = "pending" | "queued" | "running" | "retrying" | "done" | "failed" | "cancelled" | "interrupted";

/** One attempt of a task: a bar of the timeline. */
export interface Attempt {
  readonly attempt: number;
  readonly start: number;
  end: number | undefined;
  outcome: "running" | "retry" | "done" | "failed" | "cancelled" | "interrupted";
  error?: { name: string; message: string; code?: string };
}

/** Everything the page knows of one task of the run, or of a subgraph's inner task. */
export interface TaskView {
  /** Unique in the run; an inner task's is its outer task's, `/`, then its own (`2:0/1:0`). */
  readonly taskId: string;
  /** Set on a subgraph's inner task: the path of its events (`["write#2", "draft"]`). */
  readonly path?: readonly string[];
  /** The tasks of the subgraph run this task ran, in the order they appeared. */
  readonly inner: TaskView[];
  readonly node: string;
  readonly step: number;
  readonly sendIndex: number | undefined;
  /** A Send task's payload (an inner task's input), from its `task:start`; undefined for a task that reads the state. */
  sendInput: unknown;
  status: TaskStatus;
  queuedAt: number | undefined;
  attempts: Attempt[];
  update: unknown;
  error: { name: string; message: string; code?: string } | undefined;
  durationMs: number | undefined;
  /** Custom events of the task (progress, model usage, deltas). */
  custom: unknown[];
  /** Tokens the task's model calls reported (`openai.usage` events). */
  tokens: number;
}

/** A run as the page draws it, folded from its events. */
export interface RunView {
  /** The run these events are of. */
  readonly runId: string | undefined;
  events: number;
  /** The latest `at`: the run's length so far. */
  now: number;
  status: "running" | "done" | "interrupted" | "waiting" | "failed";
  tasks: Map<string, TaskView>;
  /** The state each step started from, by step: a task's input unless it came from a Send. */
  stepInput: Map<number, unknown>;
  /** The run's latest state: its input, then each step's committed state, then its final state. */
  state: unknown;
  error: { name: string; message: string; code?: string } | undefined;
}

export function emptyRun(runId?: string): RunView {
  return { runId, events: 0, now: 0, status: "running", tasks: new Map(), stepInput: new Map(), state: undefined, error: undefined };
}

/** Folds one event into the view (in place; events come in id order). */
export function applyEvent(view: RunView, event: StudioEvent): void {
  view.events++;
  view.now = Math.max(view.now, event.at);
  if (event.path !== undefined) {
    innerEvent(view, event, event.path);
    return;
  }
  if ("taskId" in event) {
    applyTaskEvent(task(view.tasks, event), event);
    return;
  }
  switch (event.type) {
    case "run:start":
      view.stepInput.set(1, event.input);
      view.state = event.input;
      return;
    case "step:start":
      for (const ref of event.tasks) task(view.tasks, ref);
      return;
    case "step:end":
      view.stepInput.set(event.step + 1, event.state);
      view.state = event.state;
      return;
    case "run:end":
      view.status = event.status;
      view.state = event.state;
      for (const t of view.tasks.values()) if (t.status === "running") closeAttempt(t, event.at, "done");
      return;
    case "run:error":
      view.status = "failed";
      view.error = event.error;
      return;
  }
}

/** Folds an event of one task into its view. */
function applyTaskEvent(t: TaskView, event: StudioEvent & { readonly taskId: string }): void {
  switch (event.type) {
    case "task:queued":
      Object.assign(t, { status: "queued", queuedAt: event.at });
      return;
    case "task:start": {
      t.status = "running";
      if ("input" in event) t.sendInput = event.input;
      t.attempts.push({ attempt: event.attempt, start: event.at, end: undefined, outcome: "running" });
      return;
    }
    case "task:retry": {
      t.status = "retrying";
      closeAttempt(t, event.at, "retry", event.error);
      return;
    }
    case "task:end": {
      Object.assign(t, { status: "done", update: event.update, durationMs: event.durationMs });
      closeAttempt(t, event.at, "done");
      return;
    }
    case "task:error": {
      Object.assign(t, { status: "failed", error: event.error, durationMs: event.durationMs });
      closeAttempt(t, event.at, "failed", event.error);
      return;
    }
    case "task:cancelled": {
      Object.assign(t, { status: "cancelled", durationMs: event.durationMs });
      closeAttempt(t, event.at, "cancelled");
      return;
    }
    case "custom": {
      addCustom(t, event.data);
      return;
    }
    case "interrupt": {
      t.status = "interrupted";
      closeAttempt(t, event.at, "interrupted");
      return;
    }
    default:
      return;
  }
}

/**
 * An event of a subgraph's inner run (it has a `path`): its task ids, steps and states are the
 * inner run's own, so it is no task, node count or state of the run. An inner task's events go
 * to its view under the task its path names (the latest of that name); its custom data (model
 * usage, deltas) counts for the outermost task too.
 */
function innerEvent(view: RunView, event: StudioEvent, path: readonly string[]): void {
  if (!("taskId" in event)) return;
  let owner: TaskView | undefined;
  for (const name of path.slice(0, -1)) {
    owner = [...(owner?.inner ?? view.tasks.values())].findLast((t) => segment(t) === name);
    if (owner === undefined) return;
  }
  if (owner === undefined) return;
  const t = task(owner.inner, { ...event, taskId: `${owner.taskId}/${event.taskId}` }, path);
  applyTaskEvent(t, event);
  if (event.type === "custom") {
    const outer = [...view.tasks.values()].findLast((o) => segment(o) === path[0]);
    if (outer !== undefined) addCustom(outer, event.data);
  }
}

/** How a path names a task: its node, with `#` and its Send index when a Send started it. */
function segment(t: TaskView): string {
  return t.sendIndex === undefined ? t.node : `${t.node}#${t.sendIndex}`;
}

/** A task of the run, or an inner task (its id `<outer id>/<own id>`), wherever it is. */
export function findTask(view: RunView, taskId: string): TaskView | undefined {
  const search = (tasks: Iterable<TaskView>): TaskView | undefined => {
    for (const t of tasks) {
      if (t.taskId === taskId) return t;
      const found = taskId.startsWith(`${t.taskId}/`) ? search(t.inner) : undefined;
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return view.tasks.get(taskId) ?? search(view.tasks.values());
}

/** Keeps a custom event's data with its task; @weft/openai reports each model call's tokens as an "openai.usage" event. */
function addCustom(t: TaskView, data: unknown): void {
  t.custom.push(data);
  const usage = data as { type?: unknown; totalTokens?: unknown } | null;
  if (usage?.type === "openai.usage" && typeof usage.totalTokens === "number") t.tokens += usage.totalTokens;
}

/** The view of a task among `tasks` (the run's, a Map by id, or a subgraph task's inner list), made when new. */
function task(
  tasks: Map<string, TaskView> | TaskView[],
  ref: { taskId: string; node: string; step: number; sendIndex: number | undefined },
  path?: readonly string[],
): TaskView {
  let t = Array.isArray(tasks) ? tasks.find((o) => o.taskId === ref.taskId) : tasks.get(ref.taskId);
  if (t === undefined) {
    t = {
      taskId: ref.taskId,
      ...(path === undefined ? {} : { path }),
      inner: [],
      node: ref.node,
      step: ref.step,
      sendIndex: ref.sendIndex,
      sendInput: undefined,
      status: "pending",
      queuedAt: undefined,
      attempts: [],
      update: undefined,
      error: undefined,
      durationMs: undefined,
      custom: [],
      tokens: 0,
    };
    if (Array.isArray(tasks)) tasks.push(t);
    else tasks.set(ref.taskId, t);
  }
  return t;
}

function closeAttempt(t: TaskView, at: number, outcome: Attempt["outcome"], error?: Attempt["error"]): void {
  const open = t.attempts.at(-1);
  if (open === undefined || open.end !== undefined) return;
  open.end = at;
  open.outcome = outcome;
  if (error !== undefined) open.error = error;
}

/** A task's label: its node, and its Send index for Send tasks. */
export function taskLabel(t: Pick<TaskView, "node" | "sendIndex">): string {
  return t.sendIndex === undefined ? t.node : `${t.node} #${t.sendIndex}`;
}

/** How many tasks of each node are in each status: the counts beside the diagram. */
export function nodeCounts(view: RunView): Map<string, Partial<Record<TaskStatus, number>>> {
  const counts = new Map<string, Partial<Record<TaskStatus, number>>>();
  for (const t of view.tasks.values()) {
    const node = counts.get(t.node) ?? {};
    node[t.status] = (node[t.status] ?? 0) + 1;
    counts.set(t.node, node);
  }
  return counts;
}

const PRIORITY: readonly TaskStatus[] = ["running", "retrying", "queued", "pending", "interrupted", "failed", "cancelled", "done"];

/** One status for a node's colour: the most active of its tasks'. */
export function nodeStatus(counts: Partial<Record<TaskStatus, number>> | undefined): TaskStatus | "idle" {
  if (counts === undefined) return "idle";
  return PRIORITY.find((status) => (counts[status] ?? 0) > 0) ?? "idle";
}

/** The keys whose value differs between two states, with both values. */
export function changedKeys(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
): { key: string; before: unknown; after: unknown }[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  return [...keys]
    .filter((key) => JSON.stringify(before?.[key]) !== JSON.stringify(after[key]))
    .map((key) => ({ key, before: before?.[key], after: after[key] }));
}

/** One key of two runs' states: both values, and whether they are equal (as JSON). */
export interface StateRow {
  readonly key: string;
  readonly left: unknown;
  readonly right: unknown;
  readonly same: boolean;
}

/** Every key of either state (left's first, in order), with both values; non-objects have no keys. */
export function compareStates(left: unknown, right: unknown): StateRow[] {
  const record = (value: unknown): Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const [l, r] = [record(left), record(right)];
  const keys = new Set([...Object.keys(l), ...Object.keys(r)]);
  return [...keys].map((key) => ({ key, left: l[key], right: r[key], same: JSON.stringify(l[key]) === JSON.stringify(r[key]) }));
}
