import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Command, type PendingInterrupt } from "@weft/core";
import { expect, it } from "vitest";
import type { CrashBackend } from "../crash/crash-recovery.js";
import { spawnSource } from "../child-process.js";
import { ASK_TIMEOUT_MS, DOZE_MS, NAPS_MS, type Scenario, waitsGraph } from "./waits-graph.js";

const child = fileURLToPath(new URL("./waits-child.ts", import.meta.url));

const lines = (file: string): string[] => {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

/** One test's backend, log files and thread ids, cleaned up afterwards. */
async function withBackend(backend: () => CrashBackend, test: (at: Harness) => Promise<void>): Promise<void> {
  const { saverModule, saverArg, open } = backend();
  const dir = mkdtempSync(join(tmpdir(), "weft-waits-"));
  const saver = open();
  try {
    await test({
      saver,
      graph: waitsGraph({ checkpointer: saver }),
      log: (name) => join(dir, `${name}.log`),
      thread: (name) => `${name}-${process.pid}-${Date.now()}`,
      spawn: (threadId, log, args) => spawnSource(child, [saverModule, saverArg, threadId, log, ...args]),
    });
  } finally {
    await saver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Harness {
  readonly saver: ReturnType<CrashBackend["open"]>;
  readonly graph: ReturnType<typeof waitsGraph>;
  readonly log: (name: string) => string;
  readonly thread: (name: string) => string;
  readonly spawn: (threadId: string, log: string, args: readonly string[]) => ReturnType<typeof spawnSource>;
}

/** Starts `scenario` in a child process, waits until it has paused and printed its result, and SIGKILLs it. */
async function startAndKill(at: Harness, threadId: string, log: string, scenario: Scenario) {
  const started = at.spawn(threadId, log, ["start", scenario]);
  let output = "";
  started.stdout!.on("data", (chunk: Buffer) => (output += chunk));
  const deadline = Date.now() + 30_000;
  while (!output.includes("\n")) {
    expect(Date.now(), "the first run never paused").toBeLessThan(deadline);
    await sleep(10);
  }
  started.kill("SIGKILL");
  const killed = await started.done;
  expect(killed.signal, killed.stderr).toBe("SIGKILL");
  return JSON.parse(output) as { status: string; interrupts: PendingInterrupt[] };
}

/** Runs `graph.recover()` in a child process and returns its report on `threadId`. */
async function recoverIn(at: Harness, threadId: string, log: string) {
  const exit = await at.spawn(threadId, log, ["recover"]).done;
  expect(exit.code, exit.stderr).toBe(0);
  return (JSON.parse(exit.stdout) as { threadId: string; status: string; result?: string }[]).filter(
    (entry) => entry.threadId === threadId,
  );
}

/**
 * Runs `graph.recover()` here: another process than the one that paused, and quick to start,
 * for the checks made before a wake-up is due.
 */
async function recoverHere(at: Harness, threadId: string) {
  const recovered = await at.graph.recover({ run: { leaseTtlMs: 500 } });
  return recovered
    .filter((entry) => entry.threadId === threadId)
    .map((entry) => (entry.status === "recovered" ? { threadId, status: entry.status, result: entry.result.status } : entry));
}

/** Sleeps until this process's clock has passed `wakeAt` (and a little more, for the store's clock). */
async function until(wakeAt: number): Promise<void> {
  await sleep(Math.max(0, wakeAt - Date.now() + 50));
}

/**
 * A timed interrupt across processes: the process that asked dies while the thread waits;
 * before the deadline `recover()` in another process leaves it alone, after it the default is
 * taken. On another thread, an answer that comes in time wins and the default is never used.
 */
export function itTimesOutAcrossARestart(name: string, backend: () => CrashBackend): void {
  it(`${name}: an interrupt with timeoutMs takes its default after the asking process died, unless answered in time`, async () => {
    await withBackend(backend, async (at) => {
      const [timedOut, answered] = [at.thread("timeout"), at.thread("answered")];
      const [logT, logA] = [at.log("timeout"), at.log("answered")];
      await startAndKill(at, answered, logA, "ask");
      const yes = await at.graph.run(new Command({ resume: "yes" }), { threadId: answered });
      expect(yes).toMatchObject({ status: "done", state: { log: ["yes"] } });

      const before = Date.now();
      const paused = await startAndKill(at, timedOut, logT, "ask");
      expect(paused.status).toBe("interrupted");
      const wakeAt = paused.interrupts[0]!.wakeAt!;
      expect(wakeAt).toBeGreaterThanOrEqual(before + ASK_TIMEOUT_MS - 1000);
      expect(paused.interrupts[0]!.default).toBe("no answer");

      expect(Date.now()).toBeLessThan(wakeAt);
      expect(await recoverHere(at, timedOut)).toEqual([]);
      expect((await at.graph.getState(timedOut))!.interrupts).toHaveLength(1);

      await until(wakeAt);
      expect(await recoverIn(at, timedOut, logT)).toEqual([{ threadId: timedOut, status: "recovered", result: "done" }]);
      expect((await at.graph.getState(timedOut))!.values.log).toEqual(["no answer"]);
      expect(lines(logT)).toEqual(["ask", "ask", "answered no answer"]);
      // Nothing is due any more, on either thread.
      expect(await recoverHere(at, timedOut)).toEqual([]);
      expect(await recoverHere(at, answered)).toEqual([]);
      expect((await at.graph.getState(answered))!.values.log).toEqual(["yes"]);
      expect(lines(logA)).toEqual(["ask"]);
    });
  }, 60_000);
}

/**
 * Two Sends sleep 3 s and 6 s; the run pauses as waiting and its process dies. Each
 * `recover()` in another process wakes only what is due: first one Send, then the other.
 */
export function itWakesParallelSleepsAcrossARestart(name: string, backend: () => CrashBackend): void {
  it(`${name}: Sends sleeping for different times wake one by one in later processes, each when due`, async () => {
    await withBackend(backend, async (at) => {
      const [threadId, log] = [at.thread("nap"), at.log("nap")];
      const paused = await startAndKill(at, threadId, log, "nap");
      expect(paused.status).toBe("waiting");
      const wakes = paused.interrupts.sort((a, b) => a.sendIndex! - b.sendIndex!).map((pending) => pending.wakeAt!);
      expect(wakes[1]! - wakes[0]!).toBeGreaterThanOrEqual(NAPS_MS[1] - NAPS_MS[0] - 200);

      expect(Date.now()).toBeLessThan(wakes[0]!);
      expect(await recoverHere(at, threadId)).toEqual([]);
      await until(wakes[0]!);
      expect(await recoverHere(at, threadId)).toEqual([{ threadId, status: "recovered", result: "waiting" }]);
      expect((await at.graph.getState(threadId))!.finished.map((ref) => ref.sendIndex)).toEqual([0]);
      await until(wakes[1]!);
      expect(await recoverIn(at, threadId, log)).toEqual([{ threadId, status: "recovered", result: "done" }]);

      expect((await at.graph.getState(threadId))!.values.log).toEqual(["napped 0", "napped 1"]);
      const seen = lines(log);
      // The graph here logs nothing: the child processes ran Send 0 once before its sleep, Send 1 twice.
      expect(seen.filter((line) => line.startsWith("before")).sort()).toEqual(["before 0", "before 1", "before 1"]);
      const after = seen.filter((line) => line.startsWith("after")).map((line) => line.split(" "));
      expect(after.map(([, i]) => i)).toEqual(["1"]);
      for (const [, i, at] of after) expect(Number(at)).toBeGreaterThanOrEqual(wakes[Number(i)]! - 50);
    });
  }, 60_000);
}

/**
 * A sleep that waits in its process, which is SIGKILLed mid-sleep: the saved wake-up time
 * stands. Recovered before it (the lease expired), the thread waits; recovered after, the node
 * goes on at once, and never sleeps the whole time again.
 */
export function itKeepsASleepThroughACrash(name: string, backend: () => CrashBackend): void {
  it(`${name}: a run killed mid-sleep keeps its wake-up time: recovery honours what is left, not the whole sleep`, async () => {
    await withBackend(backend, async (at) => {
      const [threadId, log] = [at.thread("doze"), at.log("doze")];
      const started = at.spawn(threadId, log, ["start", "doze"]);
      const begun = Date.now();
      let sleeping: PendingInterrupt | undefined;
      while (sleeping === undefined) {
        expect(Date.now() - begun, "the sleep was never saved").toBeLessThan(30_000);
        await sleep(20);
        sleeping = (await at.graph.getState(threadId))?.interrupts[0];
      }
      started.kill("SIGKILL");
      expect((await started.done).signal).toBe("SIGKILL");
      expect(sleeping).toMatchObject({ kind: "sleep", value: DOZE_MS, node: "doze" });
      const wakeAt = sleeping.wakeAt!;
      expect(wakeAt).toBeGreaterThanOrEqual(begun + DOZE_MS - 1000);

      // The killed run's lease expires long before the wake-up: recovered then, the thread waits.
      while (!(await at.saver.expiredLeases()).some((lease) => lease.threadId === threadId)) await sleep(20);
      expect(Date.now()).toBeLessThan(wakeAt);
      expect(await recoverHere(at, threadId)).toEqual([{ threadId, status: "recovered", result: "waiting" }]);
      expect((await at.graph.getState(threadId))!.interrupts[0]!.wakeAt).toBe(wakeAt);

      await until(wakeAt);
      expect(await recoverIn(at, threadId, log)).toEqual([{ threadId, status: "recovered", result: "done" }]);
      const after = lines(log).filter((line) => line.startsWith("after"));
      expect(after).toHaveLength(1);
      const wokeAt = Number(after[0]!.split(" ")[1]);
      expect(wokeAt).toBeGreaterThanOrEqual(wakeAt - 50);
      // The node ran again in the recovering process and went past its sleep at once.
      const dozing = lines(log).filter((line) => line.startsWith("dozing"));
      expect(dozing).toHaveLength(2);
      expect(wokeAt - Number(dozing[1]!.split(" ")[1])).toBeLessThan(DOZE_MS / 2);
      expect((await at.graph.getState(threadId))!.values.log).toEqual(["dozed"]);
    });
  }, 60_000);
}
