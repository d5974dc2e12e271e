import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHROMIUM_CANDIDATES, createRenderer, findChromium, headlessModeOf, isRenderError, RenderError } from "./index.js";

function fakeExecutable(): string {
  const path = join(mkdtempSync(join(tmpdir(), "weft-chromium-")), "chromium");
  writeFileSync(path, "#!/bin/sh\n");
  chmodSync(path, 0o755);
  return path;
}

describe("findChromium", () => {
  it("prefers $CHROMIUM_PATH, then $PUPPETEER_EXECUTABLE_PATH, then the first candidate that exists", () => {
    const a = fakeExecutable();
    const b = fakeExecutable();
    expect(findChromium({ env: { CHROMIUM_PATH: a, PUPPETEER_EXECUTABLE_PATH: b }, candidates: [] })).toBe(a);
    expect(findChromium({ env: { PUPPETEER_EXECUTABLE_PATH: b }, candidates: [a] })).toBe(b);
    expect(findChromium({ env: {}, candidates: ["/nonexistent/chromium", a] })).toBe(a);
  });

  it("looks for Chromium's headless shell before the full browser", () => {
    expect(CHROMIUM_CANDIDATES).toEqual(["/usr/bin/chromium-headless-shell", "/usr/bin/chromium", "/usr/bin/chromium-browser"]);
  });

  it("launches the headless shell in Puppeteer's shell mode and a full browser in its headless mode", () => {
    for (const shell of [
      "/usr/bin/chromium-headless-shell",
      "/opt/chrome-headless-shell/chrome-headless-shell",
      "C:\\chrome\\headless_shell.exe",
    ]) {
      expect(headlessModeOf(shell), shell).toBe("shell");
    }
    for (const browser of [
      "/usr/bin/chromium",
      "/usr/bin/chromium-browser",
      "/opt/google/chrome/chrome",
      "/opt/headless-shell-tools/chromium",
    ]) {
      expect(headlessModeOf(browser), browser).toBe(true);
    }
  });

  it("names every place it looked when there is no Chromium", () => {
    let error: unknown;
    try {
      findChromium({ env: {}, candidates: ["/nonexistent/chromium", "/nonexistent/chromium-browser"] });
    } catch (e) {
      error = e;
    }
    expect(isRenderError(error) && error.code).toBe("CHROMIUM_NOT_FOUND");
    expect((error as RenderError).message).toMatchInlineSnapshot(
      `"No Chromium found to render diagrams; looked at $CHROMIUM_PATH (not set), $PUPPETEER_EXECUTABLE_PATH (not set), /nonexistent/chromium (missing), /nonexistent/chromium-browser (missing). Install it (Debian/Ubuntu: apt-get install chromium; in the Weft repo: bash scripts/setup-chromium.sh) or set CHROMIUM_PATH to a Chromium or Chrome executable."`,
    );
  });

  it("rejects a variable that names no executable instead of falling back silently", () => {
    expect(() => findChromium({ env: { CHROMIUM_PATH: "/nonexistent/chrome" } })).toThrow(
      '$CHROMIUM_PATH is set to "/nonexistent/chrome", which is not an executable file',
    );
  });

  it("makes createRenderer fail with CHROMIUM_NOT_FOUND before starting anything", async () => {
    const error = await createRenderer({ env: {}, candidates: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderError);
    expect((error as RenderError).code).toBe("CHROMIUM_NOT_FOUND");
  });
});
