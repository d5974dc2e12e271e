import { describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { cancelChannel, redisOptions } from "../src/connection.js";
import { CancelListener } from "../src/worker/cancel-listener.js";
import { freshPrefix, REDIS_URL, redisAvailable } from "./services.js";

const online = await redisAvailable();

describe.runIf(online)("a worker's cancel listener", () => {
  it("aborts the jobs it runs, and remembers the others until they start", async () => {
    const channel = cancelChannel(freshPrefix(), "weft-q");
    const running = new Set(["job-1"]);
    const aborted: [string, string][] = [];
    const listener = new CancelListener(redisOptions(REDIS_URL), channel, (jobId, reason) => {
      if (!running.has(jobId)) return false;
      aborted.push([jobId, reason]);
      return true;
    });
    const publisher = new Redis(redisOptions(REDIS_URL));
    try {
      await listener.ready;
      await publisher.publish(channel, "not json");
      await publisher.publish(channel, JSON.stringify({ jobIds: ["job-1", "job-2", 3], reason: "timed out" }));
      while (listener.cancelled("job-2") === undefined) await new Promise((resolve) => setTimeout(resolve, 10));

      expect(aborted).toEqual([["job-1", "timed out"]]);
      expect(listener.cancelled("job-2")).toBe("timed out");
      expect(listener.cancelled("job-1")).toBeUndefined();
    } finally {
      listener.close();
      publisher.disconnect();
    }
  });
});
