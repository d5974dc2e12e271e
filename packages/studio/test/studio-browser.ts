import { findChromium, headlessModeOf } from "@weft/mermaid";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { startStudio } from "../src/index.js";

/** The studio on the report example (its local model server), and a Chromium page on it. */
export interface StudioSession {
  readonly url: string;
  readonly browser: Browser;
  readonly page: Page;
  close(): Promise<void>;
}

/** Starts the studio on `examples/report` and opens it in a headless Chromium. */
export async function openReportStudio(viewport = { width: 1480, height: 1000 }): Promise<StudioSession> {
  const report = await import("../../../examples/report/src/studio.js");
  const studio = await startStudio({ graphs: { report: report.graph }, inputs: { report: report.input } });
  const executablePath = findChromium();
  const browser = await puppeteer.launch({
    executablePath,
    headless: headlessModeOf(executablePath),
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const page = await browser.newPage();
  await page.setViewport(viewport);
  await page.goto(studio.url, { waitUntil: "load" });
  return {
    url: studio.url,
    browser,
    page,
    close: async () => {
      await browser.close();
      await studio.close();
      await report.close();
    },
  };
}

/** Clicks the studio's Run button with the form as it is, and waits for the new run to show. */
export async function startRun(page: Page): Promise<string> {
  const runOf = (): Promise<string | null> => page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get("run"));
  const before = await runOf();
  await page.waitForSelector("[data-testid=new-run] button[type=submit]");
  await page.click("[data-testid=new-run] button[type=submit]");
  await page.waitForFunction((previous) => new URLSearchParams(location.hash.slice(1)).get("run") !== previous, {}, before);
  await page.waitForSelector("[data-testid=run-status]");
  return (await runOf())!;
}

/**
 * Replaces the text of the field at `selector` the way a user would (select all, delete, type),
 * and waits until the field holds it. Setting the element's value directly would bypass the
 * page's state, and a render in between would bring the old text back under the typed one.
 */
export async function replaceText(page: Page, at: { readonly selector: string; readonly text: string }): Promise<void> {
  const { selector, text } = at;
  await page.focus(selector);
  await page.keyboard.down("Control");
  await page.keyboard.press("a");
  await page.keyboard.up("Control");
  await page.keyboard.press("Backspace");
  await page.type(selector, text);
  await page.waitForFunction((field, expected) => (field as HTMLTextAreaElement).value === expected, {}, await page.$(selector), text);
}
