import { useState } from "preact/hooks";
import type { Checkpoint, PendingInterrupt } from "./api.js";
import { changedKeys } from "./run-view.js";
import { json } from "./timeline.js";

/** An error message to show, and a runner that shows what `work` throws instead of losing it. */
export function useFailure(): [string | undefined, (work: () => Promise<unknown>) => Promise<void>] {
  const [error, setError] = useState<string>();
  const guard = async (work: () => Promise<unknown>): Promise<void> => {
    try {
      setError(undefined);
      await work();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return [error, guard];
}

/** Parses the JSON a person typed, or throws an Error that says where it is wrong. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${what} is not JSON: ${(error as Error).message}`);
  }
}

/**
 * The thread's pending interrupts, each with a form: an answer for a node's question, or for a
 * breakpoint an optional state update written before the run continues.
 */
export function Interrupts({
  interrupts,
  onAnswer,
  onContinue,
}: {
  interrupts: readonly PendingInterrupt[];
  onAnswer: (id: string, answer: unknown) => Promise<void>;
  onContinue: (update: Record<string, unknown>) => Promise<void>;
}) {
  if (interrupts.length === 0) return <p class="muted">No pending interrupts.</p>;
  return (
    <div data-testid="interrupts">
      {interrupts.map((interrupt) => (
        <InterruptForm key={interrupt.id} interrupt={interrupt} onAnswer={onAnswer} onContinue={onContinue} />
      ))}
    </div>
  );
}

function InterruptForm({
  interrupt,
  onAnswer,
  onContinue,
}: {
  interrupt: PendingInterrupt;
  onAnswer: (id: string, answer: unknown) => Promise<void>;
  onContinue: (update: Record<string, unknown>) => Promise<void>;
}) {
  const breakpoint = interrupt.kind !== "node";
  const [text, setText] = useState(breakpoint ? "{}" : "true");
  const [error, guard] = useFailure();
  const submit = (event: Event): Promise<void> => {
    event.preventDefault();
    return guard(async () => {
      const value = parseJson(text, breakpoint ? "The update" : "The answer");
      if (!breakpoint) return onAnswer(interrupt.id, value);
      if (typeof value !== "object" || value === null || Array.isArray(value))
        throw new Error("The update must be a JSON object of state keys.");
      return onContinue(value as Record<string, unknown>);
    });
  };
  return (
    <form class="panel" data-interrupt={interrupt.id} onSubmit={submit}>
      <div>
        <span class="pill s-interrupted">{breakpoint ? `breakpoint ${interrupt.kind}` : "asks"}</span> <b>{interrupt.node}</b>
      </div>
      <pre>{json(interrupt.value)}</pre>
      <label>
        {breakpoint ? "update the state before continuing (JSON object, optional)" : "answer (JSON)"}
        <textarea name="answer" rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      {error ? <div class="error">{error}</div> : null}
      <div class="row-actions">
        <button class="primary" type="submit">
          {breakpoint ? "Continue" : "Answer and resume"}
        </button>
      </div>
    </form>
  );
}

/**
 * The thread's checkpoints; the selected one shows its state, what its step changed, and re-run
 * (its next step and all after it run again) or fork with an update.
 */
export function Checkpoints({
  history,
  onFork,
}: {
  history: readonly Checkpoint[];
  /** Branches from the checkpoint with the update (`{}` for none) and runs from the branch. */
  onFork: (checkpointId: string, update: unknown) => Promise<void>;
}) {
  const [selected, setSelected] = useState<string>();
  const [update, setUpdate] = useState("{}");
  const [error, act] = useFailure();
  const checkpoint = history.find((c) => c.checkpointId === selected);
  const parent = checkpoint && history.find((c) => c.checkpointId === checkpoint.parentId);
  return (
    <div data-testid="checkpoints">
      <ul class="list">
        {history.map((c) => (
          <li key={c.checkpointId} class={c.checkpointId === selected ? "selected" : ""} data-checkpoint={c.checkpointId}>
            <button type="button" class="item" aria-pressed={c.checkpointId === selected} onClick={() => setSelected(c.checkpointId)}>
              <span>
                step {c.step} · {c.source}
              </span>
              <span class="muted">{c.next.length === 0 ? "end" : `next: ${[...new Set(c.next.map((t) => t.node))].join(", ")}`}</span>
            </button>
          </li>
        ))}
      </ul>
      {checkpoint ? (
        <div data-testid="checkpoint-details">
          <h3 class="field">what this checkpoint changed</h3>
          <table>
            <tbody>
              {changedKeys(parent?.values, checkpoint.values).map((change) => (
                <tr key={change.key}>
                  <th>{change.key}</th>
                  <td>
                    <pre>{json(change.after)}</pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <details>
            <summary class="muted">whole state</summary>
            <pre>{json(checkpoint.values)}</pre>
          </details>
          <div class="row-actions">
            <button type="button" data-action="rerun" onClick={() => act(() => onFork(checkpoint.checkpointId, {}))}>
              Re-run from here
            </button>
          </div>
          <label>
            fork: update (JSON), then run from the new branch
            <textarea rows={3} value={update} onInput={(e) => setUpdate(e.currentTarget.value)} />
          </label>
          <div class="row-actions">
            <button
              type="button"
              data-action="fork"
              onClick={() => act(() => onFork(checkpoint.checkpointId, parseJson(update, "The update")))}
            >
              Fork and run
            </button>
          </div>
          {error ? <div class="error">{error}</div> : null}
        </div>
      ) : null}
    </div>
  );
}
