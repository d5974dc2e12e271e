import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import {
  clientFor,
  loadConfig,
  loadGraph,
  type Checkpoint,
  type GraphInfo,
  type PendingInterrupt,
  type RunInfo,
  type StudioConfig,
} from "./api.js";
import { RunComparison, type Side } from "./compare.js";
import { useRunView } from "./follow-run.js";
import { GraphView } from "./graph-view.js";
import { nodeCounts } from "./run-view.js";
import { Checkpoints, Interrupts, parseJson, useFailure } from "./thread-panels.js";
import { TaskDetails, Timeline } from "./timeline.js";

/** What the URL hash keeps, so a reload opens the same graph, thread and run, and the run it is compared with. */
interface Place {
  graph?: string;
  thread?: string;
  run?: string;
  compare?: string;
}

const readPlace = (): Place => Object.fromEntries(new URLSearchParams(location.hash.slice(1))) as Place;
const writePlace = (place: Place): void =>
  history.replaceState(null, "", `#${new URLSearchParams(Object.entries(place).filter(([, v]) => v) as [string, string][])}`);

function App() {
  const [config, setConfig] = useState<StudioConfig>();
  const [place, setPlace] = useState<Place>(readPlace);
  const [graph, setGraph] = useState<GraphInfo>();
  const [threads, setThreads] = useState<{ threadId: string; lastRun: RunInfo }[]>([]);
  const [runs, setRuns] = useState<RunInfo[]>([]);
  const [history, setHistory] = useState<Checkpoint[]>([]);
  const [interrupts, setInterrupts] = useState<PendingInterrupt[]>([]);
  const [task, setTask] = useState<{ side: Side; taskId: string }>();
  const [compared, setCompared] = useState<RunInfo>();
  const [error, guard] = useFailure();
  const graphName = place.graph ?? config?.graphs[0];
  const client = useMemo(() => (graphName === undefined ? undefined : clientFor(graphName)), [graphName]);

  const go = (next: Place): void => {
    writePlace(next);
    setPlace(next);
  };

  useEffect(() => void guard(async () => setConfig(await loadConfig())), []);
  useEffect(() => {
    if (graphName !== undefined) void guard(async () => setGraph(await loadGraph(graphName)));
  }, [graphName]);

  /** Reloads the thread list, and the selected thread's runs, checkpoints and interrupts. */
  const refresh = async (): Promise<void> => {
    if (client === undefined) return;
    setThreads(await client.threads());
    if (place.thread === undefined) return;
    const [threadRuns, checkpoints, pending] = await Promise.all([
      client.runs(place.thread),
      client.getHistory(place.thread).catch(() => []),
      client.interrupts(place.thread).catch(() => []),
    ]);
    setRuns(threadRuns);
    setHistory(checkpoints as unknown as Checkpoint[]);
    setInterrupts(pending as PendingInterrupt[]);
  };
  useEffect(() => void guard(refresh), [client, place.thread]);

  // Follow the selected run, and the run it is compared with, from their first events to their last.
  const view = useRunView(client, place.run, { guard, onTurn: refresh });
  const other = useRunView(client, place.compare, { guard });
  useEffect(() => setTask(undefined), [place.run, place.compare]);
  useEffect(() => {
    setCompared(undefined);
    if (client !== undefined && place.compare !== undefined) void guard(async () => setCompared(await client.getRun(place.compare!)));
  }, [client, place.compare]);

  /** Compares the selected run with `runId`, or stops comparing (`undefined`). */
  const compareWith = (runId: string | undefined): void => go({ ...place, compare: runId });

  const startRun = (thread: string, start: Parameters<NonNullable<typeof client>["start"]>[1]) =>
    guard(async () => {
      const run = await client!.start(thread, start);
      go({ graph: graphName, thread, run: run.runId, compare: place.compare });
    });

  const counts = nodeCounts(view);
  return (
    <>
      <div class="header">
        <h1>Weft Studio</h1>
        {config && config.graphs.length > 1 ? (
          <select style={{ width: "auto" }} value={graphName} onChange={(e) => go({ graph: e.currentTarget.value })}>
            {config.graphs.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        ) : (
          <b>{graphName}</b>
        )}
        {place.run ? (
          <span class="muted" data-testid="run-status" data-run={view.runId} data-status={view.status} data-events={view.events}>
            run {place.run.slice(0, 8)} · <span class={`pill s-${view.status}`}>{view.status}</span> · {view.events} events
          </span>
        ) : null}
      </div>
      <div class="layout">
        <aside>
          {error ? (
            <div class="error" data-testid="error">
              {error}
            </div>
          ) : null}
          <NewRun
            key={graphName}
            input={graphName === undefined ? undefined : config?.inputs[graphName]}
            onStart={(thread, input) => startRun(thread, { input: input as never })}
          />
          <div class="panel">
            <h2>Threads</h2>
            <ul class="list" data-testid="threads">
              {threads.map((t) => (
                <li key={t.threadId} class={t.threadId === place.thread ? "selected" : ""} data-thread={t.threadId}>
                  <button type="button" class="item" onClick={() => go({ graph: graphName, thread: t.threadId, run: t.lastRun.runId })}>
                    <span>{t.threadId}</span>
                    <span class={`pill s-${t.lastRun.status}`}>{t.lastRun.status}</span>
                  </button>
                  <CompareButton place={place} runId={t.lastRun.runId} label={`the last run of ${t.threadId}`} onCompare={compareWith} />
                </li>
              ))}
            </ul>
          </div>
          {place.thread ? (
            <div class="panel">
              <h2>Runs of {place.thread}</h2>
              <ul class="list">
                {runs.map((run, i) => (
                  <li key={run.runId} class={run.runId === place.run ? "selected" : ""} data-run={run.runId}>
                    <button type="button" class="item" onClick={() => go({ ...place, run: run.runId })}>
                      <span>
                        run {runs.length - i} {run.status === "running" ? null : <span class="muted">· {run.events} events</span>}
                      </span>
                      <span class={`pill s-${run.status}`}>{run.status}</span>
                    </button>
                    <CompareButton place={place} runId={run.runId} label={`run ${runs.length - i}`} onCompare={compareWith} />
                  </li>
                ))}
              </ul>
              {runs[0]?.status === "running" ? (
                <button type="button" onClick={() => guard(async () => void (await client!.cancel(runs[0]!.runId)))}>
                  Cancel run
                </button>
              ) : null}
            </div>
          ) : null}
        </aside>
        <main>
          <div class="panel">
            <h2>Graph</h2>
            {graph ? <GraphView graph={graph} counts={counts} /> : null}
          </div>
          {place.compare && place.run ? (
            <div class="panel">
              <h2>
                Side by side{" "}
                <button type="button" data-action="close-compare" onClick={() => compareWith(undefined)}>
                  Stop comparing
                </button>
              </h2>
              <RunComparison
                left={{ view, threadId: place.thread }}
                right={{ view: other, threadId: compared?.threadId }}
                selected={task}
                onSelect={(side, taskId) => setTask({ side, taskId })}
              />
            </div>
          ) : (
            <div class="panel">
              <h2>Timeline</h2>
              {place.run ? (
                <Timeline view={view} selected={task?.taskId} onSelect={(taskId) => setTask({ side: "left", taskId })} />
              ) : (
                <p class="muted">Start a run or pick a thread.</p>
              )}
            </div>
          )}
        </main>
        <aside>
          {task ? (
            <div class="panel">
              <TaskDetails view={task.side === "left" ? view : other} taskId={task.taskId} />
            </div>
          ) : null}
          {place.thread ? (
            <>
              <div class="panel">
                <h2>Interrupts</h2>
                <Interrupts
                  interrupts={interrupts}
                  onAnswer={async (id, answer) => {
                    const run = await client!.answer(place.thread!, { answers: { [id]: answer } });
                    go({ ...place, run: run.runId });
                  }}
                  onContinue={async (update) => {
                    if (Object.keys(update).length > 0) await client!.updateState(place.thread!, update as never);
                    const run = await client!.start(place.thread!, {});
                    go({ ...place, run: run.runId });
                  }}
                />
              </div>
              <div class="panel">
                <h2>Checkpoints</h2>
                <Checkpoints
                  history={history}
                  onFork={async (checkpointId, update) => {
                    // A new branch, even with no update: a run straight from an old checkpoint would
                    // reuse the results its next step already saved instead of running it again.
                    const forked = await client!.fork(place.thread!, { checkpointId, values: update as never });
                    await startRun(place.thread!, { checkpointId: forked });
                  }}
                />
              </div>
            </>
          ) : null}
        </aside>
      </div>
    </>
  );
}

function NewRun({ input, onStart }: { input: unknown; onStart: (thread: string, input: unknown) => Promise<void> }) {
  const [thread, setThread] = useState(() => `thread-${Date.now().toString(36)}`);
  const [text, setText] = useState(() => JSON.stringify(input ?? {}, null, 2));
  const [error, guard] = useFailure();
  useEffect(() => setText(JSON.stringify(input ?? {}, null, 2)), [JSON.stringify(input)]);
  return (
    <form
      class="panel"
      data-testid="new-run"
      onSubmit={(event) => {
        event.preventDefault();
        return guard(async () => {
          await onStart(thread, parseJson(text, "The input"));
          setThread(`thread-${Date.now().toString(36)}`);
        });
      }}
    >
      <h2>New run</h2>
      <label>
        thread
        <input name="thread" value={thread} onInput={(e) => setThread(e.currentTarget.value)} />
      </label>
      <label>
        input (JSON)
        <textarea name="input" rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      {error ? <div class="error">{error}</div> : null}
      <div class="row-actions">
        <button class="primary" type="submit">
          Run
        </button>
      </div>
    </form>
  );
}

/** Puts a run beside the selected one; shown once a run is selected, for any run but that one. */
function CompareButton({
  place,
  runId,
  label,
  onCompare,
}: {
  place: Place;
  runId: string;
  label: string;
  onCompare: (runId: string | undefined) => void;
}) {
  if (place.run === undefined || place.run === runId) return null;
  const on = place.compare === runId;
  return (
    <button
      type="button"
      class="compare"
      data-action="compare"
      aria-pressed={on}
      aria-label={on ? `Stop comparing with ${label}` : `Compare with ${label}, side by side`}
      title={on ? "Stop comparing" : "Side by side with the selected run"}
      onClick={() => onCompare(on ? undefined : runId)}
    >
      {on ? "×" : "⇄"}
    </button>
  );
}

render(<App />, document.getElementById("app")!);
