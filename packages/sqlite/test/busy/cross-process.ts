import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { appendList, END, START, StateGraph } from "@weft/core";
import type { Checkpointer, ThreadLease } from "@weft/core/adapter";
import { z } from "zod";
import { expect, it } from "vitest";
import { spawnSource } from "../child-process.js";
import type { CrashBackend } from "../crash/crash-recovery.js";

const child = fileURLToPath(new URL("./thread-child.ts", import.meta.url));

type Outcome = { status?: string; msgs?: string[]; error?: string; details?: Record<string, unknown> };

const turn = (msg: string): string[] => [msg, `think(${msg})`, `reply(${msg})`];

/**
 * Runs on one thread from separate processes under each `ifBusy` policy, for one backend: the
 * processes meet only in the store. No input is lost and the history stays one chain.
 */
export function busyAcrossProcesses(name: string, backend: () => CrashBackend): void {
  const scenario = (title: string, body: (env: Env) => Promise<void>) =>
    it(`${name}: ${title}`, async () => {
      const { saverModule, saverArg, open } = backend();
      const dir = mkdtempSync(join(tmpdir(), "weft-busy-"));
      const saver = open();
      const threadId = `busy-${process.pid}-${Date.now()}`;
      const run = (msg: string, ifBusy: string, gate?: string): Promise<Outcome> =>
        spawnSource(child, [saverModule, saverArg, threadId, msg, ifBusy, ...(gate === undefined ? [] : [gate])]).done.then((exit) => {
          expect(exit.code, exit.stderr).toBe(0);
          return JSON.parse(exit.stdout) as Outcome;
        });
      try {
        await body({ saver, threadId, run, gate: join(dir, "gate") });
      } finally {
        await saver.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }, 90_000);

  scenario("six processes enqueued on one thread each run once, none interleaved, no fork", async ({ saver, threadId, run }) => {
    const msgs = ["p0", "p1", "p2", "p3", "p4", "p5"];
    const outcomes = await Promise.all(msgs.map((msg) => run(msg, "enqueue")));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(msgs.map(() => "done"));
    const values = (await history(saver, threadId)).latest;
    expect(values).toHaveLength(3 * msgs.length);
    for (let i = 0; i < values.length; i += 3) expect(values.slice(i, i + 3)).toEqual(turn(values[i]!));
    expect([...values.filter((_, i) => i % 3 === 0)].sort()).toEqual(msgs);
  });

  scenario('"reject" in another process is THREAD_BUSY; "interrupt" stops the holder at its step boundary', async (env) => {
    const { saver, threadId, run, gate } = env;
    // "enqueue": the test's lease probes must not make the holder fail.
    const holder = run("a", "enqueue", gate);
    await leaseOf(saver, threadId, (lease) => lease !== undefined);
    expect(await run("b", "reject")).toMatchObject({ error: "THREAD_BUSY", details: { threadId } });
    const asking = run("c", "interrupt");
    await leaseOf(saver, threadId, (lease) => lease?.request === "interrupt");
    writeFileSync(gate, "");
    expect(await holder).toEqual({ status: "interrupted", msgs: ["a", "think(a)"] });
    expect(await asking).toEqual({ status: "done", msgs: ["a", "think(a)", ...turn("c")] });
    await history(saver, threadId);
  });

  scenario('"rollback" in another process cancels the holder and runs on its committed state', async (env) => {
    const { saver, threadId, run, gate } = env;
    // "enqueue": the test's lease probes must not make the holder fail.
    const holder = run("a", "enqueue", gate);
    await leaseOf(saver, threadId, (lease) => lease !== undefined);
    const next = run("b", "rollback");
    expect(await holder).toMatchObject({ error: "ABORTED", details: { threadId, reason: "rollback" } });
    expect(await next).toEqual({ status: "done", msgs: ["a", ...turn("b")] });
    await history(saver, threadId);
  });
}

interface Env {
  readonly saver: Checkpointer;
  readonly threadId: string;
  readonly run: (msg: string, ifBusy: string, gate?: string) => Promise<Outcome>;
  readonly gate: string;
}

/** Polls the thread's lease, as any store user sees it, until `until` holds. */
async function leaseOf(saver: Checkpointer, threadId: string, until: (lease: ThreadLease | undefined) => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const probe = await saver.acquireLease({ threadId, owner: "probe", ttlMs: 1 });
    const lease = probe.acquired ? undefined : probe.lease;
    if (probe.acquired) await saver.releaseLease({ threadId, owner: "probe" });
    if (until(lease)) return;
    expect(Date.now(), "the lease never reached the awaited state").toBeLessThan(deadline);
    await sleep(10);
  }
}

/** Checks the thread's checkpoints form one chain and returns its latest messages. */
async function history(saver: Checkpointer, threadId: string): Promise<{ latest: string[] }> {
  const rows = await saver.list(threadId);
  rows.slice(0, -1).forEach((row, i) => expect(row.parentId).toBe(rows[i + 1]!.checkpointId));
  expect(rows.at(-1)!.parentId).toBeUndefined();
  const { latest } = await latestMessages(saver, threadId);
  return { latest };
}

/** The thread's latest messages, read through a graph of the same shape, which replays and checks the records. */
async function latestMessages(saver: Checkpointer, threadId: string): Promise<{ latest: string[] }> {
  const graph = new StateGraph(z.object({ msgs: appendList(z.string()) }))
    .addNode("think", () => ({}))
    .addNode("reply", () => ({}))
    .addEdge(START, "think")
    .addEdge("think", "reply")
    .addEdge("reply", END)
    .compile({ checkpointer: saver });
  return { latest: (await graph.getState(threadId))!.values.msgs };
}
