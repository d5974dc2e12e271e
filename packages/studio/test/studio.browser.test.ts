import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openReportStudio, replaceText, startRun, type StudioSession } from "./studio-browser.js";

// The example's model server at its real-life latency (whatever the environment says): a
// writer's calls take over a second, so a reload lands while writers still run.
process.env.WEFT_LATENCY_SCALE = "1";
let session: StudioSession;

beforeAll(async () => {
  session = await openReportStudio();
  // Records every status any timeline row shows, from the moment it appears.
  await session.page.evaluateOnNewDocument(() => {
    const log: { task: string; node: string; status: string }[] = [];
    (window as unknown as { statusLog: typeof log }).statusLog = log;
    const note = (element: Element): void => {
      const last = log.findLast((entry) => entry.task === element.getAttribute("data-task"));
      const status = element.getAttribute("data-status")!;
      if (last?.status !== status) log.push({ task: element.getAttribute("data-task")!, node: element.getAttribute("data-node")!, status });
    };
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        if (mutation.type === "attributes" && (mutation.target as Element).hasAttribute("data-task")) note(mutation.target as Element);
        for (const added of mutation.addedNodes) {
          if (!(added instanceof Element)) continue;
          if (added.hasAttribute("data-task")) note(added);
          added.querySelectorAll("[data-task]").forEach(note);
        }
      }
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
  });
  await session.page.reload({ waitUntil: "load" });
});
afterAll(async () => {
  await session?.close();
});

type Log = { task: string; node: string; status: string }[];
const statusLog = (page: Page): Promise<Log> => page.evaluate(() => (window as unknown as { statusLog: Log }).statusLog);
const runInfo = async (runId: string): Promise<{ status: string; events: number; threadId: string }> =>
  (await fetch(`${session.url}/api/runs/${runId}`)).json() as never;
/** A run's events, as the server stores them. */
async function runEvents(runId: string): Promise<any[]> {
  const text = await (await fetch(`${session.url}/api/runs/${runId}/events`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: {"))
    .map((line) => JSON.parse(line.slice(6)))
    .filter((event) => typeof event.type === "string");
}
const statusesOf = (log: Log, task: string): string[] => log.filter((entry) => entry.task === task).map((entry) => entry.status);

/** Waits until the page shows the run in the URL (its events folded) with this status. */
async function waitForRunStatus(page: Page, status: string): Promise<void> {
  try {
    await page.waitForFunction(
      (wanted) => {
        const shown = document.querySelector("[data-testid=run-status]");
        return (
          shown?.getAttribute("data-status") === wanted &&
          shown.getAttribute("data-run") === new URLSearchParams(location.hash.slice(1)).get("run")
        );
      },
      { timeout: 90_000 },
      status,
    );
  } catch (error) {
    const shown = await page.evaluate(() => ({
      status: document.querySelector("[data-testid=run-status]")?.textContent,
      error: document.querySelector("[data-testid=error]")?.textContent,
    }));
    throw new Error(`The run never showed "${status}": ${JSON.stringify(shown)}`, { cause: error });
  }
}

describe("Weft Studio on the report example", () => {
  it("runs it: every writer's status changes live, the timeline fills, the counts add up, a task opens", async () => {
    const { page } = session;
    const runId = await startRun(page);
    await waitForRunStatus(page, "interrupted");
    const log = await statusLog(page);
    const writers = [...new Set(log.filter((entry) => entry.node === "write").map((entry) => entry.task))];
    expect(writers).toHaveLength(5);
    for (const writer of writers) {
      const seen = statusesOf(log, writer);
      expect(seen).toContain("running");
      expect(seen.at(-1)).toBe("done");
      expect(seen.indexOf("running")).toBeLessThan(seen.lastIndexOf("done"));
    }
    // Three writers at a time: exactly two waited for a slot, and show it.
    const waited = writers.filter((writer) => statusesOf(log, writer).includes("queued"));
    expect(waited).toHaveLength(2);
    for (const writer of waited) expect(statusesOf(log, writer).indexOf("queued")).toBeLessThan(statusesOf(log, writer).indexOf("running"));
    expect(statusesOf(log, log.find((entry) => entry.node === "plan")!.task)).toEqual(expect.arrayContaining(["running", "done"]));

    const bars = await page.$$eval("[data-testid=timeline] .row[data-node=write]", (rows) =>
      rows.map((row) => ({
        done: row.querySelectorAll(".bar.done").length,
        queued: row.querySelectorAll(".bar.queued").length,
        width: (row.querySelector(".bar.done") as HTMLElement | null)?.getBoundingClientRect().width ?? 0,
      })),
    );
    expect(bars).toHaveLength(5);
    expect(bars.every((bar) => bar.done === 1 && bar.width > 1)).toBe(true);
    expect(bars.filter((bar) => bar.queued === 1)).toHaveLength(2);
    expect(await page.$eval("[data-testid=node-counts] tr[data-node=write] td[data-count=done]", (cell) => cell.textContent)).toBe("5");
    // The diagram's nodes are drawn in their status's colour, the writer subgraph's box too; the
    // nodes inside the box are the writer graph's, not the run's, and keep their colour.
    const fills = await page.$$eval("[data-testid=diagram] :is(g.node, g.cluster)[data-status]", (nodes) =>
      Object.fromEntries(
        nodes.map((node) => [
          (node.classList.contains("cluster") ? node.querySelector(".cluster-label") : node)?.textContent?.trim(),
          [
            ...node.querySelectorAll(node.classList.contains("cluster") ? ":scope > rect" : ".label-container path, rect.label-container"),
          ].map((shape) => getComputedStyle(shape).fill),
        ]),
      ),
    );
    expect(Object.keys(fills).sort()).toEqual(["assemble", "plan", "write"]);
    expect(fills.plan).toEqual([expect.stringMatching(/^rgb\(187, 247, 208\)$/)]);
    expect(fills.write!.length).toBeGreaterThan(0);
    expect(new Set(fills.write)).toEqual(new Set(["rgb(187, 247, 208)"]));
    expect(new Set(fills.assemble)).toEqual(new Set(["rgb(221, 214, 254)"]));
    const shown = await page.$eval("[data-testid=run-status]", (el) => Number(el.getAttribute("data-events")));
    expect(shown).toBe((await runInfo(runId)).events);

    // Each writer's draft, critique and revise are rows under it.
    const rows = await page.$$eval("[data-testid=timeline] .row", (all) =>
      all.map((row) => `${row.getAttribute("data-depth")} ${row.getAttribute("data-node")} ${row.getAttribute("data-status")}`),
    );
    const writer = rows.indexOf("0 write done");
    expect(rows.slice(writer, writer + 4)).toEqual(["0 write done", "1 draft done", "1 critique done", "1 revise done"]);
    expect(rows.filter((row) => row.startsWith("1 "))).toHaveLength(15);

    await page.click("[data-testid=timeline] .row[data-task='2:2']");
    await page.waitForSelector("[data-testid=task-details]");
    const details = await page.$eval("[data-testid=task-details]", (el) => el.textContent ?? "");
    expect(details).toContain("write #2");
    expect(await page.$eval("[data-testid=task-details] [data-field=attempts]", (el) => el.textContent)).toBe("1");
    expect(await page.$eval("[data-testid=task-details] [data-field=duration]", (el) => el.textContent)).toMatch(/^\d+ ms$/);
    expect(await page.$eval("[data-testid=task-details] [data-field=output]", (el) => el.textContent)).toContain('"drafts"');
    expect(Number(await page.$eval("[data-testid=task-details] [data-field=tokens]", (el) => el.textContent))).toBeGreaterThan(0);
    expect(await page.$("[data-testid=error]")).toBeNull();
  });

  it("answers the review breakpoint from the form: the update is written and the run finishes", async () => {
    const { page } = session;
    await page.waitForSelector("[data-testid=interrupts] form textarea");
    expect(await page.$eval("[data-testid=interrupts] form", (form) => form.textContent)).toContain("assemble");
    await replaceText(page, { selector: "[data-testid=interrupts] form textarea", text: '{ "title": "Reviewed: parallel agents" }' });
    await page.click("[data-testid=interrupts] form button[type=submit]");
    await waitForRunStatus(page, "done");
    const thread = await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get("thread")!);
    const state = (await (await fetch(`${session.url}/api/graphs/report/threads/${thread}/state`)).json()) as {
      values: { report: string };
    };
    expect(state.values.report.startsWith("# Reviewed: parallel agents\n")).toBe(true);
    expect(await page.$eval("[data-testid=timeline] .row[data-node=assemble]", (row) => row.getAttribute("data-status"))).toBe("done");
    await page.waitForFunction(() => document.querySelector("[data-testid=interrupts] form") === null);
  });

  it("reloads mid-run and follows the run on, to its last event", async () => {
    const { page } = session;
    const runId = await startRun(page);
    await page.waitForSelector("[data-testid=timeline] .row[data-node=write][data-status=running]", { timeout: 60_000 });
    await page.reload({ waitUntil: "load" });
    expect((await runInfo(runId)).status).toBe("running");
    await waitForRunStatus(page, "interrupted");
    const log = await statusLog(page);
    // After the reload the page replayed the run, and saw writers run live or done.
    expect(log.filter((entry) => entry.node === "write").length).toBeGreaterThanOrEqual(5);
    const info = await runInfo(runId);
    expect(info.status).toBe("interrupted");
    expect(await page.$eval("[data-testid=run-status]", (el) => Number(el.getAttribute("data-events")))).toBe(info.events);
    expect(await page.$$eval("[data-testid=timeline] .row[data-node=write][data-status=done]", (rows) => rows.length)).toBe(5);
    expect(await page.$("[data-testid=error]")).toBeNull();
  });

  it("re-runs and forks from a checkpoint, and cancels a run, from the page", async () => {
    const { page } = session;
    const thread = await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get("thread")!);
    const runOf = (): Promise<string> => page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get("run")!);
    const before = await runOf();
    // Step 1's checkpoint: the plan is made, the writers are next.
    const stepOne = await page.waitForSelector("[data-testid=checkpoints] li ::-p-text(step 1)");
    await stepOne!.click();
    await page.click("[data-testid=checkpoint-details] button[data-action=rerun]");
    await page.waitForFunction((previous) => new URLSearchParams(location.hash.slice(1)).get("run") !== previous, {}, before);
    const rerun = await runOf();
    await waitForRunStatus(page, "interrupted");
    expect(await runInfo(rerun)).toMatchObject({ threadId: thread, status: "interrupted" });
    expect(await page.$$eval("[data-testid=timeline] .row[data-node=write][data-status=done]", (rows) => rows.length)).toBe(5);

    const stepOneAgain = await page.waitForSelector("[data-testid=checkpoints] li ::-p-text(step 1)");
    await stepOneAgain!.click();
    await replaceText(page, { selector: "[data-testid=checkpoint-details] textarea", text: '{ "title": "Forked title" }' });
    await page.click("[data-testid=checkpoint-details] button[data-action=fork]");
    await page.waitForFunction((previous) => new URLSearchParams(location.hash.slice(1)).get("run") !== previous, {}, rerun);
    await waitForRunStatus(page, "interrupted");
    const state = (await (await fetch(`${session.url}/api/graphs/report/threads/${thread}/state`)).json()) as { values: { title: string } };
    expect(state.values.title).toBe("Forked title");

    const running = await startRun(page);
    await page.waitForSelector("[data-testid=timeline] .row[data-node=plan][data-status=running]", { timeout: 60_000 });
    // The thread's run list (with its Cancel button) is reloaded as the run starts.
    const cancel = await page.waitForSelector("::-p-text(Cancel run)", { timeout: 60_000 });
    await cancel!.click();
    await waitForRunStatus(page, "failed");
    expect((await runInfo(running)).status).toBe("cancelled");
    // The tasks the cancellation stopped end as the engine reported them: failed (a model call
    // threw its abort error) or cancelled; each row shows what the engine reported.
    const text = await (await fetch(`${session.url}/api/runs/${running}/events`)).text();
    const stopped = text
      .split("\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => JSON.parse(line.slice(6)) as { type: string; taskId?: string })
      .filter((event) => event.type === "task:error" || event.type === "task:cancelled");
    expect(stopped.length).toBeGreaterThan(0);
    for (const event of stopped) {
      const shown = await page.$eval(`[data-testid=timeline] .row[data-task="${event.taskId}"]`, (row) => row.getAttribute("data-status"));
      expect(shown).toBe(event.type === "task:error" ? "failed" : "cancelled");
    }
  });

  it("puts two runs side by side: both timelines on one time scale, their states key by key", async () => {
    const { page } = session;
    const threadOf = (): Promise<string> => page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get("thread")!);
    const first = await startRun(page);
    await waitForRunStatus(page, "interrupted");
    const firstThread = await threadOf();
    await replaceText(page, { selector: "[data-testid=new-run] textarea", text: '{ "topic": "Durable workflows" }' });
    const second = await startRun(page);
    expect(second).not.toBe(first);
    await waitForRunStatus(page, "interrupted");
    const secondThread = await threadOf();

    await page.click(`[data-testid=threads] li[data-thread="${firstThread}"] button[data-action=compare]`);
    await page.waitForSelector("[data-testid=comparison] section[data-side=right][data-status=interrupted]", { timeout: 60_000 });
    expect(await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get("compare"))).toBe(first);
    const sides = await page.$$eval("[data-testid=comparison] section", (sections) =>
      sections.map((section) => ({
        side: section.getAttribute("data-side"),
        run: section.getAttribute("data-run"),
        heading: section.querySelector("h3")?.textContent ?? "",
        done: section.querySelectorAll(".row[data-node=write][data-status=done]").length,
        // Where each run's last bar ends, as a share of the track: one scale for both runs.
        end: Math.max(
          ...[...section.querySelectorAll(".row")].map((row) => {
            const track = row.querySelector(".track")!.getBoundingClientRect();
            return Math.max(
              ...[...row.querySelectorAll(".bar")].map((bar) => (bar.getBoundingClientRect().right - track.left) / track.width),
            );
          }),
        ),
      })),
    );
    const writers = async (runId: string) => (await runEvents(runId)).filter((e) => e.type === "task:end" && e.node === "write").length;
    expect(sides.map(({ side, run, done }) => [side, run, done])).toEqual([
      ["left", second, await writers(second)],
      ["right", first, await writers(first)],
    ]);
    expect(sides.every(({ done }) => done >= 3)).toBe(true);
    expect(sides[0]!.heading).toContain(secondThread);
    expect(sides[1]!.heading).toContain(firstThread);
    // The longer run fills its track; the shorter one ends before it, on the same scale.
    expect(Math.max(sides[0]!.end, sides[1]!.end)).toBeCloseTo(1, 1);
    expect(Math.min(sides[0]!.end, sides[1]!.end)).toBeLessThanOrEqual(1.001);

    const stateOf = async (thread: string) =>
      ((await (await fetch(`${session.url}/api/graphs/report/threads/${thread}/state`)).json()) as { values: Record<string, unknown> })
        .values;
    const [left, right] = [await stateOf(secondThread), await stateOf(firstThread)];
    const rows = await page.$$eval("[data-testid=compare-state] tbody tr", (trs) =>
      trs.map((tr) => ({
        key: tr.getAttribute("data-key")!,
        same: tr.getAttribute("data-same") === "true",
        left: tr.querySelectorAll("pre")[0]!.textContent!,
        right: tr.querySelectorAll("pre")[1]!.textContent!,
      })),
    );
    expect(rows.map((row) => row.key).sort()).toEqual([...new Set([...Object.keys(left), ...Object.keys(right)])].sort());
    for (const row of rows) {
      expect(row.same, row.key).toBe(JSON.stringify(left[row.key]) === JSON.stringify(right[row.key]));
      expect(JSON.parse(row.left), row.key).toEqual(left[row.key]);
      expect(JSON.parse(row.right), row.key).toEqual(right[row.key]);
    }
    expect(rows.find((row) => row.key === "topic")).toMatchObject({ same: false, left: '"Durable workflows"' });

    // A task of the right-hand run opens that run's task, not the left one's of the same id.
    await page.click("[data-testid=comparison] section[data-side=right] .row[data-node=plan]");
    await page.waitForSelector("[data-testid=task-details]");
    const planOutput = JSON.parse((await page.$eval("[data-testid=task-details] [data-field=output]", (el) => el.textContent))!);
    const planEnd = (await runEvents(first)).find((event) => event.type === "task:end" && event.node === "plan");
    expect(planOutput).toEqual(planEnd!.update);

    // The comparison survives a reload, and closes.
    await page.reload({ waitUntil: "load" });
    await page.waitForSelector("[data-testid=comparison] section[data-side=right][data-status=interrupted]", { timeout: 60_000 });
    await page.click("button[data-action=close-compare]");
    await page.waitForFunction(() => document.querySelector("[data-testid=comparison]") === null);
    expect(await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get("compare"))).toBeNull();
    expect(await page.$("[data-testid=error]")).toBeNull();
  });

  it("shows a Send task's payload as its input, and an edge task's step state", async () => {
    const { page } = session;
    const runId = await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get("run")!);
    await waitForRunStatus(page, "interrupted");
    const starts = (await runEvents(runId)).filter((event) => event.type === "task:start" && event.node === "write");
    expect(starts.length).toBeGreaterThanOrEqual(3);
    for (const start of starts.slice(0, 2)) {
      await page.click(`[data-testid=timeline] .row[data-task="${start.taskId}"]`);
      await page.waitForFunction(
        (index) => document.querySelector("[data-testid=task-details] h2")?.textContent?.includes(`write #${index}`),
        {},
        start.sendIndex,
      );
      const shown = await page.$eval("[data-testid=task-details]", (el) => ({
        heading: [...el.querySelectorAll("h3")].map((h) => h.textContent).join(" | "),
        input: el.querySelector("[data-field=input]")!.textContent!,
      }));
      expect(shown.heading).toContain(`Send #${start.sendIndex}'s payload`);
      expect(start.input).toMatchObject({ report: expect.any(String) });
      expect(JSON.parse(shown.input)).toEqual(start.input);
    }
    await page.click("[data-testid=timeline] .row[data-node=plan]");
    await page.waitForFunction(() => document.querySelector("[data-testid=task-details] h2")?.textContent?.includes("plan"));
    const planInput = JSON.parse((await page.$eval("[data-testid=task-details] [data-field=input]", (el) => el.textContent))!);
    expect(planInput).toEqual((await runEvents(runId)).find((event) => event.type === "run:start")!.input);
  });

  it("shows what is wrong with input that is not JSON, and starts nothing", async () => {
    const { page } = session;
    const runs = async (): Promise<number> =>
      ((await (await fetch(`${session.url}/api/graphs/report/threads`)).json()) as { threads: unknown[] }).threads.length;
    const count = await runs();
    await replaceText(page, { selector: "[data-testid=new-run] textarea", text: "{ topic: bare words }" });
    await page.click("[data-testid=new-run] button[type=submit]");
    await page.waitForSelector("[data-testid=new-run] .error");
    expect(await page.$eval("[data-testid=new-run] .error", (el) => el.textContent)).toContain("The input is not JSON");
    expect(await runs()).toBe(count);
  });
});
