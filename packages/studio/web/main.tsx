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
import { GraphView } from "./graph-view.js";
import { applyEvent, emptyRun, nodeCounts, type RunView, type StudioEvent } from "./run-view.js";
import { Checkpoints, Interrupts, parseJson, useFailure } from "./thread-panels.js";
import { TaskDetails, Timeline } from "./timeline.js";

/** What the URL hash keeps, so a reload opens the same graph, thread and run. */
interface Place {
  graph?: string;
  thread?: string;
  run?: string;
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
  const [view, setView] = useState<RunView>(() => emptyRun());
  const [, setVersion] = useState(0);
  const [task, setTask] = useState<string>();
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

  // Follow the selected run: replay its events from the first, then live ones as they come.
  useEffect(() => {
    if (client === undefined || place.run === undefined) return;
    const stop = new AbortController();
    const fresh = emptyRun(place.run);
    setView(fresh);
    setTask(undefined);
    // biome-ignore lint/correctness/noUnusedVariables: read by `||=`, it keeps one frame request pending at a time.
    let frame = 0;
    void guard(async () => {
      for await (const event of client.events(place.run!, { signal: stop.signal })) {
        applyEvent(fresh, event as unknown as StudioEvent);
        if (event.type === "run:start" || event.type === "step:end") void refresh();
        frame ||= requestAnimationFrame(() => {
          frame = 0;
          setVersion((v) => v + 1);
        });
      }
      if (!stop.signal.aborted) {
        setVersion((v) => v + 1);
        await refresh();
      }
    });
    return () => stop.abort();
  }, [client, place.run]);

  const startRun = (thread: string, start: Parameters<NonNullable<typeof client>["start"]>[1]) =>
    guard(async () => {
      const run = await client!.start(thread, start);
      go({ graph: graphName, thread, run: run.runId });
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
                <li
                  key={t.threadId}
                  class={t.threadId === place.thread ? "selected" : ""}
                  onClick={() => go({ graph: graphName, thread: t.threadId, run: t.lastRun.runId })}
                >
                  <span>{t.threadId}</span>
                  <span class={`pill s-${t.lastRun.status}`}>{t.lastRun.status}</span>
                </li>
              ))}
            </ul>
          </div>
          {place.thread ? (
            <div class="panel">
              <h2>Runs of {place.thread}</h2>
              <ul class="list">
                {runs.map((run, i) => (
                  <li key={run.runId} class={run.runId === place.run ? "selected" : ""} onClick={() => go({ ...place, run: run.runId })}>
                    <span>
                      run {runs.length - i} {run.status === "running" ? null : <span class="muted">· {run.events} events</span>}
                    </span>
                    <span class={`pill s-${run.status}`}>{run.status}</span>
                  </li>
                ))}
              </ul>
              {runs[0]?.status === "running" ? (
                <button onClick={() => guard(async () => void (await client!.cancel(runs[0]!.runId)))}>Cancel run</button>
              ) : null}
            </div>
          ) : null}
        </aside>
        <main>
          <div class="panel">
            <h2>Graph</h2>
            {graph ? <GraphView graph={graph} counts={counts} /> : null}
          </div>
          <div class="panel">
            <h2>Timeline</h2>
            {place.run ? <Timeline view={view} selected={task} onSelect={setTask} /> : <p class="muted">Start a run or pick a thread.</p>}
          </div>
        </main>
        <aside>
          {task ? (
            <div class="panel">
              <TaskDetails view={view} taskId={task} />
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
      <label>thread</label>
      <input name="thread" value={thread} onInput={(e) => setThread(e.currentTarget.value)} />
      <label>input (JSON)</label>
      <textarea name="input" rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      {error ? <div class="error">{error}</div> : null}
      <div class="row-actions">
        <button class="primary" type="submit">
          Run
        </button>
      </div>
    </form>
  );
}

render(<App />, document.getElementById("app")!);
