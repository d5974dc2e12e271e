import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { spawnSource } from "./child-process.js";
import { INNER_NODES, SUBGRAPH_WORKERS, subgraphGraph } from "./crash/subgraph-graph.js";
import { tempDatabase } from "./temp-file.js";

const child = fileURLToPath(new URL("./crash/subgraph-crash-child.ts", import.meta.url));
const saverModule = fileURLToPath(new URL("./fixtures/sqlite-saver.ts", import.meta.url));

const lines = (file: string): string[] => {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

/**
 * A run of 12 Sends to a three-node subgraph is SIGKILLed partway, then resumed by a new
 * process. An inner node whose successor had started before the kill had finished, and its inner
 * step was saved: it must not run again after the kill. The final state is an uninterrupted run's.
 */
describe("subgraph workers through a crash on SQLite", () => {
  const file = tempDatabase();
  afterAll(file.remove);

  for (const { killAt, by } of [
    { killAt: 9, by: "resume" },
    { killAt: 20, by: "recover" },
  ] as const) {
    it(`resumes inner runs where they stood when killed after ${killAt} inner node starts, by ${by === "resume" ? "invoke" : "recover()"}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "weft-subgraph-crash-"));
      const threadId = `subgraph-crash-${process.pid}-${Date.now()}-${killAt}`;
      try {
        const first = join(dir, "run-0.log");
        const killed = spawnSource(child, [saverModule, file.path, threadId, first, "start"]);
        let exited = false;
        void killed.done.then(() => (exited = true));
        while (!exited && lines(first).length < killAt) await sleep(2);
        expect(exited, "the run ended before it could be killed").toBe(false);
        killed.kill("SIGKILL");
        expect((await killed.done).signal).toBe("SIGKILL");
        const before = lines(first);

        const second = join(dir, "run-1.log");
        const exit = await spawnSource(child, [saverModule, file.path, threadId, second, by]).done;
        expect(exit.code, exit.stderr).toBe(0);
        const after = lines(second);

        const expected = await subgraphGraph({}).invoke({});
        if (by === "resume") expect(JSON.parse(exit.stdout)).toEqual(expected);
        else {
          // recover() resumes the outer thread, whose run resumes the inner ones; it never
          // takes an inner thread for a thread of its own graph.
          const { entries, final } = JSON.parse(exit.stdout) as { entries: unknown[]; final: unknown };
          expect(entries).toEqual([{ threadId, status: "recovered" }]);
          expect(final).toEqual(expected);
        }
        // Every inner node of every worker ran, in one run or the other.
        const all = Array.from({ length: SUBGRAPH_WORKERS }, (_, i) => INNER_NODES.map((node) => `${i} ${node}`)).flat();
        expect([...new Set([...before, ...after])].sort()).toEqual(all.sort());
        // A node whose successor had started before the kill does not run again.
        const finished = before.filter((line) => {
          const [i, node] = line.split(" ") as [string, (typeof INNER_NODES)[number]];
          const next = INNER_NODES[INNER_NODES.indexOf(node) + 1];
          return next !== undefined && before.includes(`${i} ${next}`);
        });
        expect(finished.length).toBeGreaterThan(0);
        expect(after.filter((line) => finished.includes(line))).toEqual([]);
        // No node runs twice in one process.
        expect(new Set(after).size).toBe(after.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
