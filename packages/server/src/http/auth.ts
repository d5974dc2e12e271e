import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { ServerError } from "../errors.js";

/**
 * Requires `Authorization: Bearer <token>` on every request; a missing or wrong token is a 401
 * `UNAUTHORIZED`. Tokens are compared in constant time.
 */
export function bearerToken(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match === null || !timingSafeEqual(digest(match[1]!.trim()), expected)) {
      throw new ServerError(
        "UNAUTHORIZED",
        match === null ? "This server needs Authorization: Bearer <token>." : "The bearer token is wrong.",
      );
    }
    await next();
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
