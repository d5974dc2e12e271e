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
   * `review #2`); `undefined` keeps the default, the node's name with its Send index.
   */
  readonly label?: (task: TaskRef) => string | undefined;
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
  readonly name: string;
  readonly step: number;
  readonly bars: Bar[];
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
  const track = (ref: TaskRef): Track => {
    let found = tracks.get(ref.taskId);
    if (found === undefined) {
      // Labels are written as they are: the node name is escaped here, the rest is ours.
      const node = ganttText(ref.node);
      const label = options.label?.(ref);
      const name =
        label !== undefined ? ganttText(label) : ref.sendIndex === undefined || ref.sendIndex === null ? node : `${node} #${ref.sendIndex}`;
      found = {
        name,
        step: ref.step,
        bars: [],
        queuedAt: undefined,
        waitsFor: "slot",
        attemptStart: undefined,
        attempt: 1,
        settled: false,
      };
      tracks.set(ref.taskId, found);
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
    switch (event.type) {
      case "step:start":
        for (const ref of event.tasks) track(ref);
        break;
      case "task:queued": {
        // A task waits for its slots, then for its rate limits: each wait is a bar of its own.
        const t = track(event);
        waited(t, event.at);
        t.queuedAt = event.at;
        t.waitsFor = event.waitsFor ?? "slot";
        break;
      }
      case "task:start": {
        const t = track(event);
        waited(t, event.at);
        t.queuedAt = undefined;
        t.attemptStart = event.at;
        t.attempt = event.attempt;
        break;
      }
      case "task:retry": {
        const t = track(event);
        close(t, event.at, `${t.name} (attempt ${event.attempt} ${event.timedOut ? "timed out" : "failed"}, retried)`, ["active"]);
        break;
      }
      case "task:end": {
        const t = track(event);
        // After a task:error, a handler's recovery ends the task again: its bar is drawn.
        if (!t.settled) close(t, event.at, t.attempt > 1 ? `${t.name} (attempt ${t.attempt})` : t.name, []);
        t.settled = true;
        break;
      }
      case "task:error": {
        const t = track(event);
        const what = event.timedOut ? "timed out" : "failed";
        const policy = event.policy === "continue" ? ", continued" : event.policy === "handler" ? ", handled" : "";
        const attempt = t.attempt > 1 ? `attempt ${t.attempt} ` : "";
        close(t, event.at, `${t.name} (${attempt}${what}${policy})`, ["crit"]);
        t.settled = true;
        break;
      }
      case "interrupt": {
        const t = track(event);
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
        const t = track(event);
        close(t, event.at, `${t.name} (cancelled)`, ["crit", "done"]);
        t.settled = true;
        break;
      }
      default:
        break;
    }
  }

  const steps = new Map<number, Track[]>();
  for (const t of tracks.values()) {
    if (!t.settled && (t.attemptStart !== undefined || t.queuedAt !== undefined)) {
      close(t, lastAt, `${t.name} (unfinished)`, ["crit"]);
    }
    steps.set(t.step, [...(steps.get(t.step) ?? []), t]);
  }

  const lines = ["gantt"];
  if (options.title !== undefined) lines.push(`  title ${ganttText(options.title)}`);
  lines.push("  dateFormat x", `  axisFormat ${options.axisFormat ?? defaultAxisFormat(lastAt)}`, "  todayMarker off");
  for (const step of [...steps.keys()].sort((a, b) => a - b)) {
    lines.push(`  section Step ${step}`);
    for (const t of steps.get(step)!) {
      for (const bar of t.bars) {
        const start = Math.max(0, Math.round(bar.start));
        const end = Math.max(Math.round(bar.end), start + 1);
        lines.push(`  ${bar.label} :${[...bar.tags, start, end].join(", ")}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

function defaultAxisFormat(totalMs: number): string {
  if (totalMs < 60_000) return "%-S.%L s";
  if (totalMs < 3_600_000) return "%M:%S";
  return "%H:%M:%S";
}
