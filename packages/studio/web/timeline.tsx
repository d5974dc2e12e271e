import { taskLabel, type RunView, type TaskView } from "./run-view.js";

const pct = (at: number, total: number): string => `${((100 * at) / total).toFixed(3)}%`;

/** One row per task, one bar per attempt (and a hatched bar for the time it waited for a slot). */
export function Timeline({
  view,
  selected,
  onSelect,
}: {
  view: RunView;
  selected: string | undefined;
  onSelect: (taskId: string) => void;
}) {
  const total = Math.max(view.now, 1);
  const tasks = [...view.tasks.values()].sort((a, b) => a.step - b.step || position(a) - position(b));
  return (
    <div class="timeline" data-testid="timeline">
      {tasks.map((task) => (
        <div
          key={task.taskId}
          class={`row${task.taskId === selected ? " selected" : ""}`}
          data-task={task.taskId}
          data-node={task.node}
          data-status={task.status}
          onClick={() => onSelect(task.taskId)}
        >
          <span class="label">
            <span class={`pill s-${task.status}`}>{task.status}</span> {taskLabel(task)}
          </span>
          <div class="track">
            {task.queuedAt !== undefined ? (
              <div
                class="bar queued"
                title="waiting for a slot"
                style={{ left: pct(task.queuedAt, total), width: pct((task.attempts[0]?.start ?? view.now) - task.queuedAt, total) }}
              />
            ) : null}
            {task.attempts.map((attempt) => (
              <div
                key={attempt.attempt}
                class={`bar ${attempt.outcome}`}
                data-attempt={attempt.attempt}
                title={`attempt ${attempt.attempt}: ${attempt.outcome}${attempt.error ? ` — ${attempt.error.message}` : ""}`}
                style={{ left: pct(attempt.start, total), width: pct((attempt.end ?? view.now) - attempt.start, total) }}
              />
            ))}
          </div>
        </div>
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
  return Number(task.taskId.split(":")[1] ?? 0);
}

/** Everything known of one task. */
export function TaskDetails({ view, taskId }: { view: RunView; taskId: string }) {
  const task = view.tasks.get(taskId);
  if (task === undefined) return null;
  const input = task.sendIndex === undefined ? view.stepInput.get(task.step) : undefined;
  return (
    <div data-testid="task-details">
      <h2>
        Task {taskLabel(task)} <span class={`pill s-${task.status}`}>{task.status}</span>
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
      <label>input</label>
      {task.sendIndex === undefined ? (
        <pre>{json(input)}</pre>
      ) : (
        <p class="muted">Send #{task.sendIndex}: its payload goes to the node directly and is not part of the run's events.</p>
      )}
      <label>output (the task's update)</label>
      <pre data-field="output">{json(task.update)}</pre>
      {task.error ? (
        <>
          <label>error</label>
          <pre data-field="error">{json(task.error)}</pre>
        </>
      ) : null}
      <label>attempts</label>
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
