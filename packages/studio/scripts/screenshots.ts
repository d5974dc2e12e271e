/**
 * Regenerates the studio screenshots in docs/images: the report example mid-run (writers
 * running and queued), paused at its review breakpoint (graph, timeline, a writer's details),
 * then answered and finished; and that run beside a run on another topic.
 *
 *   pnpm --filter @weft/studio build:web && pnpm --filter @weft/studio screenshots
 */
import { resolve } from "node:path";
import { openReportStudio, replaceText, startRun } from "../test/studio-browser.js";

const IMAGES = resolve(import.meta.dirname, "../../../docs/images");
const session = await openReportStudio({ width: 1480, height: 1040 });
try {
  const { page } = session;
  await startRun(page);
  // The first writer done: the next one took its slot, the last still waits for one.
  await page.waitForSelector("[data-testid=timeline] .row[data-node=write][data-status=done]", { timeout: 60_000 });
  await page.screenshot({ path: `${IMAGES}/studio-live.png` });
  await page.waitForSelector("[data-testid=run-status][data-status=interrupted]", { timeout: 60_000 });
  await page.click("[data-testid=timeline] .row[data-task='2:1']");
  await page.waitForSelector("[data-testid=task-details]");
  await page.screenshot({ path: `${IMAGES}/studio-run.png` });
  await page.waitForSelector("[data-testid=interrupts] form");
  await page.click("[data-testid=interrupts] button[type=submit]");
  await page.waitForSelector("[data-testid=run-status][data-status=done]", { timeout: 60_000 });
  await page.click("[data-testid=checkpoints] li:nth-child(2)");
  await page.waitForSelector("[data-testid=checkpoint-details]");
  await page.screenshot({ path: `${IMAGES}/studio-done.png` });
  const first = await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get("thread")!);
  await replaceText(page, { selector: "[data-testid=new-run] textarea", text: '{ "topic": "Durable workflows" }' });
  await startRun(page);
  await page.waitForSelector("[data-testid=run-status][data-status=interrupted]", { timeout: 60_000 });
  const second = await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get("thread")!);
  // The first thread's first run (the one with the writers), beside the run on the other topic.
  await page.click(`[data-testid=threads] li[data-thread="${first}"] button.item`);
  await page.waitForSelector("li[data-run]:nth-child(2) button.item");
  await page.click("li[data-run]:nth-child(2) button.item");
  await page.click(`[data-testid=threads] li[data-thread="${second}"] button[data-action=compare]`);
  await page.waitForSelector("[data-testid=comparison] section[data-side=right][data-status=interrupted]", { timeout: 60_000 });
  await page.click("[data-testid=comparison] section[data-side=left] .row[data-node=write]");
  await page.waitForSelector("[data-testid=task-details]");
  await page.screenshot({ path: `${IMAGES}/studio-compare.png` });
  console.log(`Wrote studio-live.png, studio-run.png, studio-done.png and studio-compare.png in ${IMAGES}`);
} finally {
  await session.close();
}
