import { expect, it } from "vitest";
import { SqliteCheckpointer } from "../src/index.js";
import { runFixture } from "./child-process.js";
import { tempDatabase } from "./temp-file.js";

it("lets several processes create and write one new file at the same time without losing a row", async () => {
  const file = tempDatabase();
  try {
    const writers = ["w0", "w1", "w2", "w3"];
    const startAt = String(Date.now() + 1500);
    const runs = await Promise.all(writers.map((name) => runFixture("concurrent-writer.ts", [file.path, name, "300", startAt])));
    for (const run of runs) expect(run).toEqual({ code: 0, output: "" });

    const saver = new SqliteCheckpointer(file.path);
    const results = await saver.getTaskResults("shared", "c0");
    expect(results).toHaveLength(1200);
    for (const name of writers) {
      // Each writer's own rows come back in the order it wrote them.
      expect(results.filter((row) => row.taskId.startsWith(`${name}:`)).map((row) => row.data)).toEqual(
        Array.from({ length: 300 }, (_, i) => `${name} ${i}`),
      );
      expect((await saver.get(name))?.checkpointId).toBe("c299");
      expect(await saver.list(name)).toHaveLength(300);
    }
    await saver.close();
  } finally {
    file.remove();
  }
}, 60_000);
