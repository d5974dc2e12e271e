import type { RunEvent } from "../stream/events.js";
import { ganttText } from "./escape.js";
import type { RecordedRunEvent } from "./run-record.js";
import type { TaskRef } from "../records/task-ref.js";

/**
 * Options of {@link toMermaidGantt}.
 *
 * @example
 * ```ts
 * toMermaidGantt(events, { title: "nightly run", axisFormat: "%M:%S", showQueued: false, label: (task) => task.node });
 * ```
 */
export interface GanttOptions {
  /** A title above the chart. None by default. */
  readonly title?: string;
  /**
   * The time axis' d3 format. By default `%-S.%L s` (seconds from the run's start, "0.500 s")
   * for runs under a minute, `%M:%S` under an hour, `%H:%M:%S` beyond.
   */
  readonly axisFormat?: string;
  /**
   * A task's name on its bars, as a progress display names it (a reviewer's name rather than
   * `review #2`); `undefined` keeps the default, the node's name with its Send index. A
   * subgraph's inner task comes with its event's `path`, and a `taskId` that holds its outer
   * tasks' ids before its own, joined by `/` (`"2:0/1:0"`): unique within the run.
   */
  readonly label?: (task: TaskRef, path?: readonly string[]) => string | undefined;
  /**
   * Draw the time a task waited as its own grey bars: "queued" for a concurrency slot, "rate
   * limited" for a rate limit's turn (before its first attempt or a retry). Default true.
   */
  readonly showQueued?: boolean;
}

interface Bar {
  readonly label: string;
  readonly tags: readonly string[];
  readonly start: number;
  readonly end: number;
}

interface Track {
  /** The task's id; an inner task's is its outer task's, `/`, then its own. */
  readonly id: string;
  readonly name: string;
  /** How a path names the task: its node, with `#` and its Send index. */
  readonly segment: string;
  readonly step: number;
  readonly bars: Bar[];
  /** The tasks of the subgraph run this task ran, in the order they appeared. */
  readonly inner: Track[];
  queuedAt: number | undefined;
  /** What the task waits for since `queuedAt`. */
  waitsFor: "slot" | "rate";
  attemptStart: number | undefined;
  attempt: number;
  settled: boolean;
}

/**
 * Draws a finished run as a mermaid Gantt chart: one section per step, one bar per task
 * attempt on a millisecond axis from the run's start, so parallel branches line up and the
 * slowest one stands out. Sends are numbered as the runtime numbers them (`worker #0`,
 * `worker #1`, … in emission order). Failed attempts are `crit` (red), attempts that were
 * retried are `active` (with "retried" in the label), cancelled tasks are `crit, done`, time
 * spent waiting for a concurrency slot is a `done` (grey) "queued" bar and time waiting for a
 * rate limit's turn a grey "rate limited" bar, a task that called
 * `ctx.interrupt` ends in a `done` "interrupted" bar, and a breakpoint is a milestone. Times
 * are rounded to the nearest millisecond, and every bar lasts at least 1 ms so that it shows.
 * A subgraph task's inner tasks (events with a `path`) follow its step in a section of their
 * own, named by the task (`write #2`; `team #1 › research` one level deeper), in the order the
 * outer tasks appear; inner events of an outer task the events do not hold are left out.
 *
 * Takes live events (`for await (const e of graph.stream(input))`) or a parsed run record.
 *
 * @example
 * ```ts
 * const events: RunEvent[] = [];
 * for await (const event of graph.stream({ topic: "AI" })) events.push(event);
 * console.log(toMermaidGantt(events, { title: "report" }));
 * // gantt
 * //   title report
 * //   dateFormat x
 * //   …
 * ```
 * @see ../../../../docs/diagrams.md
 */
export function toMermaidGantt(events: Iterable<RunEvent<unknown, string> | RecordedRunEvent>, options: GanttOptions = {}): string {
  const tracks = new Map<string, Track>();
  const outer: Track[] = [];
  /** The task a subgraph event happens in, from its path of outer tasks; the latest one of that name. */
  const owner = (segments: readonly string[]): Track | undefined => {
    let found: Track | undefined;
    for (const segment of segments) {
      found = (found?.inner ?? outer).findLast((t) => t.segment === segment);
      if (found === undefined) return undefined;
    }
    return found;
  };
  const track = (event: TaskRef, path: readonly string[] | undefined, parent: Track | undefined): Track => {
    const id = parent === undefined ? event.taskId : `${parent.id}/${event.taskId}`;
    let found = tracks.get(id);
    if (found === undefined) {
      const ref: TaskRef = { taskId: id, node: event.node, step: event.step, sendIndex: event.sendIndex ?? undefined };
      // Labels are written as they are: the node name is escaped here, the rest is ours.
      const node = ganttText(ref.node);
      const label = path === undefined ? options.label?.(ref) : options.label?.(ref, path);
      const sent = ref.sendIndex !== undefined;
      const name = label !== undefined ? ganttText(label) : sent ? `${node} #${ref.sendIndex}` : node;
      found = {
        id,
        name,
        segment: sent ? `${ref.node}#${ref.sendIndex}` : ref.node,
        step: ref.step,
        bars: [],
        inner: [],
        queuedAt: undefined,
        waitsFor: "slot",
        attemptStart: undefined,
        attempt: 1,
        settled: false,
      };
      tracks.set(id, found);
      (parent?.inner ?? outer).push(found);
    }
    return found;
  };
  const close = (t: Track, at: number, label: string, tags: readonly string[]): void => {
    t.bars.push({ label, tags, start: t.attemptStart ?? t.queuedAt ?? at, end: at });
    t.attemptStart = undefined;
    t.queuedAt = undefined;
  };
  /** The wait of `t` that ends at `at`, as a grey bar. */
  const waited = (t: Track, at: number): void => {
    if (t.queuedAt === undefined || options.showQueued === false) return;
    t.bars.push({ label: `${t.name} (${t.waitsFor === "rate" ? "rate limited" : "queued"})`, tags: ["done"], start: t.queuedAt, end: at });
  };
  let lastAt = 0;

  for (const event of events) {
    lastAt = Math.max(lastAt, event.at);
    // An inner run's event belongs to the task its path ends in; an outer task holds its tasks.
    const path = event.path;
    const parent = path === undefined ? undefined : owner("taskId" in event ? path.slice(0, -1) : path);
    if (path !== undefined && parent === undefined) continue;
    const task = (ref: TaskRef): Track => track(ref, path, parent);
    switch (event.type) {
      case "step:start":
        for (const ref of event.tasks) task(ref);
        break;
      case "task:queued": {
        // A task waits for its slots, then for its rate limits: each wait is a bar of its own.
        const t = task(event);
        waited(t, event.at);
        t.queuedAt = event.at;
        t.waitsFor = event.waitsFor ?? "slot";
        break;
      }
      case "task:start": {
        const t = task(event);
        waited(t, event.at);
        t.queuedAt = undefined;
        t.attemptStart = event.at;
        t.attempt = event.attempt;
        break;
      }
      case "task:retry": {
        const t = task(event);
        close(t, event.at, `${t.name} (attempt ${event.attempt} ${event.timedOut ? "timed out" : "failed"}, retried)`, ["active"]);
        break;
      }
      case "task:end": {
        const t = task(event);
        // After a task:error, a handler's recovery ends the task again: its bar is drawn.
        if (!t.settled) close(t, event.at, t.attempt > 1 ? `${t.name} (attempt ${t.attempt})` : t.name, []);
        t.settled = true;
        break;
      }
      case "task:error": {
        const t = task(event);
        const what = event.timedOut ? "timed out" : "failed";
        const policy = event.policy === "continue" ? ", continued" : event.policy === "handler" ? ", handled" : "";
        const attempt = t.attempt > 1 ? `attempt ${t.attempt} ` : "";
        close(t, event.at, `${t.name} (${attempt}${what}${policy})`, ["crit"]);
        t.settled = true;
        break;
      }
      case "interrupt": {
        const t = task(event);
        const kind = (event.interrupt as { readonly kind?: string } | undefined)?.kind ?? "node";
        if (kind === "node" && !t.settled) {
          close(t, event.at, `${t.name} (interrupted)`, ["done"]);
          t.settled = true;
        } else {
          t.bars.push({ label: `${t.name} (breakpoint ${kind})`, tags: ["milestone"], start: event.at, end: event.at });
        }
        break;
      }
      case "task:cancelled": {
        const t = task(event);
        close(t, event.at, `${t.name} (cancelled)`, ["crit", "done"]);
        t.settled = true;
        break;
      }
      default:
        break;
    }
  }

  for (const t of tracks.values()) {
    if (!t.settled && (t.attemptStart !== undefined || t.queuedAt !== undefined)) {
      close(t, lastAt, `${t.name} (unfinished)`, ["crit"]);
    }
  }
  const steps = new Map<number, Track[]>();
  for (const t of outer) steps.set(t.step, [...(steps.get(t.step) ?? []), t]);

  const lines = ["gantt"];
  if (options.title !== undefined) lines.push(`  title ${ganttText(options.title)}`);
  lines.push("  dateFormat x", `  axisFormat ${options.axisFormat ?? defaultAxisFormat(lastAt)}`, "  todayMarker off");
  const bars = (list: readonly Track[]): void => {
    for (const t of list) {
      for (const bar of t.bars) {
        const start = Math.max(0, Math.round(bar.start));
        const end = Math.max(Math.round(bar.end), start + 1);
        lines.push(`  ${bar.label} :${[...bar.tags, start, end].join(", ")}`);
      }
    }
  };
  // A subgraph task's inner tasks follow its step, in a section named by the tasks it is in.
  const nested = (t: Track, names: readonly string[]): void => {
    if (t.inner.length === 0) return;
    lines.push(`  section ${names.join(" › ")}`);
    bars(t.inner);
    for (const child of t.inner) nested(child, [...names, child.name]);
  };
  for (const step of [...steps.keys()].sort((a, b) => a - b)) {
    lines.push(`  section Step ${step}`);
    const list = steps.get(step)!;
    bars(list);
    for (const t of list) nested(t, [t.name]);
  }
  return `${lines.join("\n")}\n`;
}

function defaultAxisFormat(totalMs: number): string {
  if (totalMs < 60_000) return "%-S.%L s";
  if (totalMs < 3_600_000) return "%M:%S";
  return "%H:%M:%S";
}
