import { findTask, taskLabel, type RunView, type TaskView } from "./run-view.js";

const pct = (at: number, total: number): string => `${((100 * at) / total).toFixed(3)}%`;

/**
 * One row per task, one bar per attempt (and a hatched bar for the time it waited for a slot);
 * a subgraph task's inner tasks are rows indented under it.
 */
export function Timeline({
  view,
  total = Math.max(view.now, 1),
  selected,
  onSelect,
}: {
  view: RunView;
  /** The milliseconds the track's width stands for; default the run's length so far. */
  total?: number;
  selected: string | undefined;
  onSelect: (taskId: string) => void;
}) {
  const tasks = [...view.tasks.values()].sort((a, b) => a.step - b.step || position(a) - position(b));
  // Each task, then the tasks of its subgraph run, one level deeper.
  const rows: { task: TaskView; depth: number }[] = [];
  const add = (task: TaskView, depth: number): void => {
    rows.push({ task, depth });
    for (const inner of task.inner) add(inner, depth + 1);
  };
  for (const task of tasks) add(task, 0);
  return (
    <div class="timeline" data-testid="timeline">
      {rows.map(({ task, depth }) => (
        <button
          type="button"
          key={task.taskId}
          class={`row${depth > 0 ? " inner" : ""}${task.taskId === selected ? " selected" : ""}`}
          data-task={task.taskId}
          data-node={task.node}
          data-status={task.status}
          data-depth={depth}
          aria-pressed={task.taskId === selected}
          onClick={() => onSelect(task.taskId)}
        >
          <span class="label" style={depth > 0 ? { paddingLeft: `${depth * 1.2}em` } : undefined}>
            <span class={`pill s-${task.status}`}>{task.status}</span> {taskLabel(task)}
          </span>
          <span class="track">
            {task.queuedAt !== undefined ? (
              <span
                class="bar queued"
                title="waiting for a slot"
                style={{ left: pct(task.queuedAt, total), width: pct((task.attempts[0]?.start ?? view.now) - task.queuedAt, total) }}
              />
            ) : null}
            {task.attempts.map((attempt) => (
              <span
                key={attempt.attempt}
                class={`bar ${attempt.outcome}`}
                data-attempt={attempt.attempt}
                title={`attempt ${attempt.attempt}: ${attempt.outcome}${attempt.error ? ` — ${attempt.error.message}` : ""}`}
                style={{ left: pct(attempt.start, total), width: pct((attempt.end ?? view.now) - attempt.start, total) }}
              />
            ))}
          </span>
        </button>
      ))}
      <div class="legend">
        {[
          ["queued", "#bae6fd"],
          ["running", "#f59e0b"],
          ["done", "#22c55e"],
          ["retried", "#f97316"],
          ["failed", "#ef4444"],
          ["interrupted", "#8b5cf6"],
        ].map(([name, colour]) => (
          <span key={name} style={{ "--c": colour }}>
            {name}
          </span>
        ))}
        <span style={{ "--c": "transparent" }}>{(view.now / 1000).toFixed(2)} s</span>
      </div>
    </div>
  );
}

function position(task: TaskView): number {
  return Number(task.taskId.split("/").at(-1)?.split(":")[1] ?? 0);
}

/** Everything known of one task. */
export function TaskDetails({ view, taskId }: { view: RunView; taskId: string }) {
  const task = findTask(view, taskId);
  if (task === undefined) return null;
  // An inner task's step and state are its subgraph run's, which the page does not hold.
  const inner = task.path !== undefined;
  const input = task.sendIndex === undefined && !inner ? view.stepInput.get(task.step) : undefined;
  return (
    <div data-testid="task-details">
      <h2>
        Task {inner ? task.path!.slice(0, -1).concat(taskLabel(task)).join(" › ") : taskLabel(task)}{" "}
        <span class={`pill s-${task.status}`}>{task.status}</span>
      </h2>
      <table>
        <tbody>
          <tr>
            <th>step</th>
            <td>{task.step}</td>
          </tr>
          <tr>
            <th>attempts</th>
            <td data-field="attempts">{task.attempts.length}</td>
          </tr>
          <tr>
            <th>duration</th>
            <td data-field="duration">{task.durationMs === undefined ? "—" : `${Math.round(task.durationMs)} ms`}</td>
          </tr>
          <tr>
            <th>waited</th>
            <td>
              {task.queuedAt === undefined ? "—" : `${Math.round((task.attempts[0]?.start ?? view.now) - task.queuedAt)} ms for a slot`}
            </td>
          </tr>
          <tr>
            <th>tokens</th>
            <td data-field="tokens">{task.tokens || "—"}</td>
          </tr>
        </tbody>
      </table>
      <h3 class="field">
        {inner
          ? "input (in its subgraph run)"
          : task.sendIndex === undefined
            ? "input (the state its step started from)"
            : `input (Send #${task.sendIndex}'s payload)`}
      </h3>
      <pre data-field="input">{json(task.sendIndex === undefined && !inner ? input : task.sendInput)}</pre>
      <h3 class="field">output (the task's update)</h3>
      <pre data-field="output">{json(task.update)}</pre>
      {task.error ? (
        <>
          <h3 class="field">error</h3>
          <pre data-field="error">{json(task.error)}</pre>
        </>
      ) : null}
      <h3 class="field">attempts</h3>
      <ul>
        {task.attempts.map((a) => (
          <li key={a.attempt}>
            #{a.attempt}: {a.outcome}, {Math.round((a.end ?? view.now) - a.start)} ms{a.error ? ` — ${a.error.message}` : ""}
          </li>
        ))}
      </ul>
      {task.custom.length > 0 ? <p class="muted">{task.custom.length} custom events</p> : null}
    </div>
  );
}

export function json(value: unknown): string {
  return value === undefined ? "—" : JSON.stringify(value, null, 2);
}
