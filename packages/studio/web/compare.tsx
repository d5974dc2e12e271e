import { compareStates, type RunView } from "./run-view.js";
import { json, Timeline } from "./timeline.js";

/** Which run of the two a selected task belongs to. */
export type Side = "left" | "right";

/** A run as one column of the comparison shows it. */
export interface ComparedRun {
  readonly view: RunView;
  readonly threadId: string | undefined;
}

/**
 * Two runs side by side: their timelines on one time scale (the longer run's), and their latest
 * states key by key, the keys whose values differ marked.
 */
export function RunComparison({
  left,
  right,
  selected,
  onSelect,
}: {
  left: ComparedRun;
  right: ComparedRun;
  selected: { side: Side; taskId: string } | undefined;
  onSelect: (side: Side, taskId: string) => void;
}) {
  const total = Math.max(left.view.now, right.view.now, 1);
  const rows = compareStates(left.view.state, right.view.state);
  return (
    <div data-testid="comparison">
      <div class="compare">
        {(["left", "right"] as const).map((side) => {
          const run = side === "left" ? left : right;
          return (
            <section key={side} data-side={side} data-run={run.view.runId} data-status={run.view.status} aria-label={`${side} run`}>
              <h3>
                {run.threadId ?? "?"} · run {run.view.runId?.slice(0, 8)} ·{" "}
                <span class={`pill s-${run.view.status}`}>{run.view.status}</span>
              </h3>
              <Timeline
                view={run.view}
                total={total}
                selected={selected?.side === side ? selected.taskId : undefined}
                onSelect={(taskId) => onSelect(side, taskId)}
              />
            </section>
          );
        })}
      </div>
      <table data-testid="compare-state">
        <thead>
          <tr>
            <th>key</th>
            <th>left</th>
            <th>right</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key} data-key={row.key} data-same={String(row.same)} class={row.same ? "" : "differs"}>
              <th>{row.key}</th>
              <td>
                <pre>{json(row.left)}</pre>
              </td>
              <td>
                <pre>{json(row.right)}</pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
