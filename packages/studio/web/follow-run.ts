import { useEffect, useState } from "preact/hooks";
import type { clientFor } from "./api.js";
import { applyEvent, emptyRun, type RunView, type StudioEvent } from "./run-view.js";

/**
 * Follows a run: replays its events from the first, then live ones as they come, folded into a
 * {@link RunView} that is redrawn at most once a frame. `onTurn` is called when a step or the
 * run starts, and once the run has ended (to reload what the run changed).
 */
export function useRunView(
  client: ReturnType<typeof clientFor> | undefined,
  runId: string | undefined,
  options: { guard: (work: () => Promise<unknown>) => Promise<void>; onTurn?: () => Promise<void> },
): RunView {
  const [view, setView] = useState<RunView>(() => emptyRun());
  const [, setVersion] = useState(0);
  useEffect(() => {
    if (client === undefined || runId === undefined) {
      setView(emptyRun());
      return;
    }
    const stop = new AbortController();
    const fresh = emptyRun(runId);
    setView(fresh);
    // biome-ignore lint/correctness/noUnusedVariables: read by `||=`, it keeps one frame request pending at a time.
    let frame = 0;
    void options.guard(async () => {
      for await (const event of client.events(runId, { signal: stop.signal })) {
        applyEvent(fresh, event as unknown as StudioEvent);
        if (event.type === "run:start" || event.type === "step:end") void options.onTurn?.();
        frame ||= requestAnimationFrame(() => {
          frame = 0;
          setVersion((v) => v + 1);
        });
      }
      if (!stop.signal.aborted) {
        setVersion((v) => v + 1);
        await options.onTurn?.();
      }
    });
    return () => stop.abort();
  }, [client, runId]);
  return view;
}
