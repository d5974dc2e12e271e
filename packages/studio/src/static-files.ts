import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import type { Context } from "hono";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

/**
 * Answers a GET with a file of `root` (the built page); paths outside `root` and missing files
 * get the page's `index.html`, so a reload on any URL opens the page.
 */
export function staticFiles(root: string): (c: Context) => Promise<Response> {
  const base = normalize(root + sep);
  return async (c) => {
    const path = decodeURIComponent(new URL(c.req.url).pathname);
    const file = normalize(join(base, path));
    const safe = file.startsWith(base) && extname(file) !== "" ? file : join(base, "index.html");
    const body = await readFile(safe).catch(() => readFile(join(base, "index.html")));
    const type = TYPES[extname(safe)] ?? "application/octet-stream";
    return c.body(new Uint8Array(body), 200, {
      "content-type": safe.endsWith(".html") ? TYPES[".html"]! : type,
      "cache-control": safe.includes(`${sep}assets${sep}`) ? "public, max-age=31536000, immutable" : "no-cache",
    });
  };
}
