import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { Checkpointer } from "@weft/core/adapter";
import { expect, it } from "vitest";
import { spawnSource } from "../child-process.js";
import { fanOutGraph, WORKERS } from "./fan-out-graph.js";

const child = fileURLToPath(new URL("./crash-child.ts", import.meta.url));

/** A checkpointer backend under test, as the child processes and the test itself open it. */
export interface CrashBackend {
  /** Absolute path of a module exporting `createSaver(arg)` (see `SaverModule`). */
  readonly saverModule: string;
  /** The argument the child processes pass to `createSaver`: a file path, a URL and schema… */
  readonly saverArg: string;
  /** Opens the same storage in the test process. */
  readonly open: () => Checkpointer & { close(): Promise<void> };
  /**
   * Waits until the storage has taken, or dropped, every write of the child processes killed so
   * far. A file is done with a process when it dies; a server may still be running a statement
   * the process sent. Without it, the storage is read right after a kill.
   */
  readonly settled?: () => Promise<void>;
}

const lines = (file: string): string[] => {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};
const workersIn = (log: string[]): number[] =>
  log
    .filter((line) => line.startsWith("work "))
    .map((line) => Number(line.slice(5)))
    .sort((a, b) => a - b);

/**
 * Issue #7's crash test, for one backend: a process runs a 20-worker Send fan-out and is
 * SIGKILLed once some (not all) worker results are saved; a new process resumes the thread.
 * The final state must equal an uninterrupted run's, and no worker whose result was saved
 * before the kill may run again.
 */
export function itRecoversFromACrash(name: string, backend: () => CrashBackend): void {
  it(`${name}: a run SIGKILLed mid fan-out resumes in a new process, re-running only unsaved workers`, async () => {
    const { saverModule, saverArg, open, settled } = backend();
    const dir = mkdtempSync(join(tmpdir(), "weft-crash-"));
    const threadId = `crash-${process.pid}-${Date.now()}`;
    const [firstLog, resumeLog] = [join(dir, "first.log"), join(dir, "resume.log")];
    const saver = open();
    try {
      const { graph, savedBeforeKill } = await startAndKill({ backend: { saverModule, saverArg, settled }, saver, threadId, firstLog });

      const resumed = await spawnSource(child, [saverModule, saverArg, threadId, resumeLog, "resume"]).done;
      expect(resumed.code, resumed.stderr).toBe(0);

      const reference = await fanOutGraph({}).invoke({ topic: "crash" });
      expect(JSON.parse(resumed.stdout)).toEqual(reference);
      const done = await graph.getState(threadId);
      expect(done?.values).toEqual(reference);
      expect(done?.next).toEqual([]);

      const rerun = workersIn(lines(resumeLog));
      expect(rerun.filter((i) => savedBeforeKill.includes(i))).toEqual([]);
      expect([...rerun, ...savedBeforeKill].sort((a, b) => a - b)).toEqual(Array.from({ length: WORKERS }, (_, i) => i));
      expect(lines(resumeLog)).not.toContain("plan");
      expect(lines(resumeLog).filter((line) => line === "assemble")).toHaveLength(1);
    } finally {
      await saver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
}

/**
 * Starts the fan-out in a child process and SIGKILLs it once some (not all) worker results are
 * saved; checks what the store holds then, and returns the workers saved before the kill.
 */
async function startAndKill({
  backend: { saverModule, saverArg, settled },
  saver,
  threadId,
  firstLog,
}: {
  backend: Pick<CrashBackend, "saverModule" | "saverArg" | "settled">;
  saver: Checkpointer;
  threadId: string;
  firstLog: string;
}): Promise<{ graph: ReturnType<typeof fanOutGraph>; savedBeforeKill: number[] }> {
  const first = spawnSource(child, [saverModule, saverArg, threadId, firstLog, "start"]);
  let exited = false;
  void first.done.then(() => (exited = true));

  // Poll the store until the fan-out step has some, but not all, worker results saved.
  let saved = 0;
  const deadline = Date.now() + 30_000;
  while (saved < 3 && !exited && Date.now() < deadline) {
    await sleep(15);
    const latest = await saver.get(threadId);
    saved = latest === undefined ? 0 : (await saver.getTaskResults(threadId, latest.checkpointId)).length;
  }
  first.kill("SIGKILL");
  const killed = await first.done;
  expect(killed.signal, `the first run ended on its own before the kill:\n${killed.stderr}`).toBe("SIGKILL");
  await settled?.();

  // What the store holds right after the kill: the plan step's checkpoint and some results.
  const graph = fanOutGraph({ checkpointer: saver });
  const paused = await graph.getState(threadId);
  const latest = await saver.get(threadId);
  const rows = await saver.getTaskResults(threadId, latest!.checkpointId);
  const savedBeforeKill = paused!.finished.map((task) => task.sendIndex!).sort((a, b) => a - b);
  expect(paused!.next).toHaveLength(WORKERS);
  expect(savedBeforeKill).toHaveLength(rows.length);
  expect(savedBeforeKill.length).toBeGreaterThanOrEqual(3);
  expect(savedBeforeKill.length).toBeLessThan(WORKERS);
  expect(lines(firstLog)).not.toContain("assemble");

  return { graph, savedBeforeKill };
}

/**
 * The crash test with recovery: after the kill, the killed run's lease expires and two
 * processes call `graph.recover()` at once. Exactly one resumes the thread; together they run
 * each unsaved worker and the assembly once, and the final state equals an uninterrupted run's.
 */
export function itRecoversWithRecover(name: string, backend: () => CrashBackend): void {
  it(`${name}: two processes racing to recover() a SIGKILLed run finish it once`, async () => {
    const { saverModule, saverArg, open, settled } = backend();
    const dir = mkdtempSync(join(tmpdir(), "weft-recover-"));
    const threadId = `recover-${process.pid}-${Date.now()}`;
    const [firstLog, logA, logB] = [join(dir, "first.log"), join(dir, "a.log"), join(dir, "b.log")];
    const saver = open();
    try {
      const { graph, savedBeforeKill } = await startAndKill({ backend: { saverModule, saverArg, settled }, saver, threadId, firstLog });
      // The killed run's lease expires within its ttl: then the thread is listed for recovery.
      const deadline = Date.now() + 10_000;
      while (!(await saver.expiredLeases()).some((lease) => lease.threadId === threadId)) {
        expect(Date.now(), "the killed run's lease never expired").toBeLessThan(deadline);
        await sleep(20);
      }
      const [a, b] = await Promise.all(
        [logA, logB].map((log) => spawnSource(child, [saverModule, saverArg, threadId, log, "recover"]).done),
      );
      expect(a!.code, a!.stderr).toBe(0);
      expect(b!.code, b!.stderr).toBe(0);
      const reports = [a!, b!].flatMap((exit) => JSON.parse(exit.stdout) as { threadId: string; status: string; steps?: number }[]);
      const mine = reports.filter((entry) => entry.threadId === threadId);
      // One recoverer resumed the thread; the other found it taken, or finished with nothing left.
      expect(mine.filter((entry) => entry.status === "recovered" && entry.steps! > 0)).toHaveLength(1);
      expect(mine.every((entry) => entry.status !== "failed")).toBe(true);

      const reference = await fanOutGraph({}).invoke({ topic: "crash" });
      const done = await graph.getState(threadId);
      expect(done?.values).toEqual(reference);
      expect(done?.next).toEqual([]);
      const both = [...lines(logA), ...lines(logB)];
      const rerun = workersIn(both);
      expect([...rerun, ...savedBeforeKill].sort((x, y) => x - y)).toEqual(Array.from({ length: WORKERS }, (_, i) => i));
      expect(both.filter((line) => line === "assemble")).toHaveLength(1);
      const history = await graph.getHistory(threadId);
      history.slice(0, -1).forEach((state, i) => expect(state.parentId).toBe(history[i + 1]!.checkpointId));
      expect((await saver.expiredLeases()).filter((lease) => lease.threadId === threadId)).toEqual([]);
    } finally {
      await saver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
}
