import { createConnection } from "node:net";

/** The Redis the tests use: `WEFT_REDIS_URL`, else the local default. */
export const REDIS_URL = process.env.WEFT_REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Whether Redis answers a PING. In CI (`CI` set) an unreachable Redis throws, so the test file
 * fails loudly; elsewhere it prints a notice and returns false, so the tests skip visibly.
 */
export async function redisAvailable(): Promise<boolean> {
  const { hostname, port } = new URL(REDIS_URL);
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = createConnection({ host: hostname, port: Number(port || 6379) });
      socket.setTimeout(3000, () => socket.destroy(new Error("no answer within 3 s")));
      socket.once("error", reject);
      socket.once("connect", () => socket.write("PING\r\n"));
      socket.once("data", (data) => {
        socket.end();
        if (data.toString().startsWith("+PONG")) resolve();
        else reject(new Error(`answered ${JSON.stringify(data.toString().trim())}`));
      });
    });
    return true;
  } catch (error) {
    const reason = (error as Error).message || String(error);
    if (process.env.CI)
      throw new Error(`Redis is not reachable at ${REDIS_URL} (${reason}), and CI is set, so these tests fail instead of skipping.`);
    console.warn(`\n!! Skipping @weft/otel tests that need Redis: not reachable at ${REDIS_URL} (${reason}).\n`);
    return false;
  }
}
