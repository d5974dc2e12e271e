import { describe, expect, it } from "vitest";
import { redisOptions, resolveSettings } from "./connection.js";

describe("connection settings", () => {
  it("read a Redis URL with credentials, database and TLS", () => {
    expect(redisOptions("rediss://user:p%40ss@cache.internal:6380/3")).toEqual({
      host: "cache.internal",
      port: 6380,
      username: "user",
      password: "p@ss",
      db: 3,
      tls: {},
    });
    expect(redisOptions("redis://127.0.0.1")).toEqual({ host: "127.0.0.1", port: 6379 });
  });

  it("refuse a URL that is not Redis'", () => {
    expect(() => redisOptions("http://localhost:6379")).toThrow("must start with redis:// or rediss://");
  });

  it("default to WEFT_REDIS_URL, then the local Redis, prefix weft and one queue per graph", () => {
    expect(resolveSettings({}, { WEFT_REDIS_URL: "redis://elsewhere:7000" }).connection).toEqual({ host: "elsewhere", port: 7000 });
    const settings = resolveSettings({}, {});
    expect(settings.connection).toEqual({ host: "127.0.0.1", port: 6379 });
    expect(settings.prefix).toBe("weft");
    expect(settings.queueName("report")).toBe("weft-report");
    expect(settings.queueName("team:report")).toBe("weft-team-report");
  });
});
