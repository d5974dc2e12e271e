import { fileURLToPath } from "node:url";
import type { Checkpointer } from "@weft/core/adapter";
import { expect, it } from "vitest";
import { spawnSource } from "../child-process.js";

const racer = fileURLToPath(new URL("./racer.ts", import.meta.url));

/** A store shared by processes: how a child opens it, and how the test does. */
export interface RaceBackend {
  /** Absolute path of a module exporting `createSaver(arg)`. */
  readonly saverModule: string;
  readonly saverArg: string;
  readonly open: () => Checkpointer & { close(): Promise<void> };
}

interface Won {
  readonly first: number[];
  readonly onBase: number[];
  readonly leases: number[];
  readonly chain: string[];
}

/**
 * Two processes on one store race, round after round, to write a thread's first checkpoint, to
 * write on top of the same head, and to take the same lease: exactly one wins every race. Then
 * both extend one thread, retrying on conflict: its history is one unbroken line holding every
 * checkpoint each process says it wrote.
 */
export function itRacesAcrossProcesses(name: string, backend: () => RaceBackend, rounds = 100, chainLength = 50): void {
  it(`${name}: of two processes racing for a head or a lease, exactly one wins every round`, async () => {
    const { saverModule, saverArg, open } = backend();
    const prefix = `race-${process.pid}-${Date.now()}`;
    const saver = open();
    try {
      for (let round = 0; round < rounds; round++) {
        await saver.put(
          { threadId: `${prefix}-base-${round}`, checkpointId: "base", parentId: undefined, step: 0, data: "base" },
          { head: null },
        );
      }
      const startAt = String(Date.now() + 2000);
      const runs = await Promise.all(
        ["p0", "p1"].map(
          (racerName) => spawnSource(racer, [saverModule, saverArg, prefix, racerName, String(rounds), String(chainLength), startAt]).done,
        ),
      );
      for (const run of runs) expect(run.code, run.stderr).toBe(0);
      const [p0, p1] = runs.map((run) => JSON.parse(run.stdout) as Won) as [Won, Won];

      const everyRound = Array.from({ length: rounds }, (_, i) => i);
      for (const race of ["first", "onBase", "leases"] as const) {
        expect(
          [...p0[race], ...p1[race]].sort((a, b) => a - b),
          race,
        ).toEqual(everyRound);
      }
      for (let round = 0; round < rounds; round++) {
        const first = await saver.list(`${prefix}-first-${round}`);
        expect(first.map((row) => row.checkpointId)).toEqual([p0.first.includes(round) ? "p0" : "p1"]);
        const onBase = await saver.list(`${prefix}-base-${round}`);
        expect(onBase.map((row) => row.checkpointId)).toEqual([p0.onBase.includes(round) ? "p0" : "p1", "base"]);
      }

      const history = (await saver.list(`${prefix}-chain`)).reverse();
      expect(history.map((row) => row.checkpointId).sort()).toEqual([...p0.chain, ...p1.chain].sort());
      expect(history).toHaveLength(2 * chainLength);
      history.forEach((row, i) => expect(row.parentId).toBe(i === 0 ? undefined : history[i - 1]!.checkpointId));
    } finally {
      await saver.close();
    }
  }, 120_000);
}
