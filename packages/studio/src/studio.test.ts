import { END, MemoryCheckpointer, START, StateGraph } from "@weft/core";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { startStudio } from "./studio.js";

const State = z.object({ n: z.number() });
const graph = (checkpointer?: MemoryCheckpointer) =>
  new StateGraph(State, { name: "inc" })
    .addNode("inc", (s) => ({ n: s.n + 1 }))
    .addEdge(START, "inc")
    .addEdge("inc", END)
    .compile(checkpointer === undefined ? {} : { checkpointer });

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe("startStudio", () => {
  it("serves the page, its assets and the graph API under /api, with the API's JSON errors", async () => {
    const studio = await startStudio({ graphs: { inc: graph(new MemoryCheckpointer()) }, inputs: { inc: { n: 1 } } });
    close = studio.close;
    const page = await fetch(`${studio.url}/`);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${studio.url}/${script}`);
    expect(asset.headers.get("content-type")).toContain("text/javascript");
    expect(asset.headers.get("cache-control")).toContain("immutable");
    // A reload on a deep link gets the page; a path outside the page's folder never gets a file.
    expect(await (await fetch(`${studio.url}/threads/t1`)).text()).toBe(html);
    expect(await (await fetch(`${studio.url}/..%2F..%2Fpackage.json`)).text()).toBe(html);

    expect(await (await fetch(`${studio.url}/api/studio`)).json()).toEqual({ graphs: ["inc"], inputs: { inc: { n: 1 } } });
    const unknownRun = await fetch(`${studio.url}/api/runs/nope`);
    expect(unknownRun.status).toBe(404);
    expect(await unknownRun.json()).toMatchObject({ error: { code: "UNKNOWN_RUN" } });
    const noRoute = await fetch(`${studio.url}/api/nowhere`);
    expect(noRoute.status).toBe(404);
    expect(await noRoute.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    const bad = await fetch(`${studio.url}/api/graphs/inc/threads/t/runs`, { method: "POST", body: JSON.stringify({ input: { n: "x" } }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "INVALID_INPUT" } });
  });

  it("refuses a graph without a checkpointer, naming it", async () => {
    await expect(startStudio({ graphs: { inc: graph() } })).rejects.toMatchObject({ code: "INVALID_OPTION" });
    await expect(startStudio({ graphs: { inc: graph() } })).rejects.toThrow('Graph "inc" has no checkpointer');
    await expect(startStudio({ graphs: { inc: {} as never } })).rejects.toThrow("graphs.inc is not a compiled graph");
  });
});
