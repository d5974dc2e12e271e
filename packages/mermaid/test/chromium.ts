import { findChromium } from "../src/index.js";

/**
 * The Chromium the rendering tests use. In CI a missing Chromium fails the test file loudly;
 * on a developer's machine without one the tests are skipped with a notice.
 */
export function chromiumForTests(): string | undefined {
  try {
    return findChromium();
  } catch (error) {
    if (process.env.CI) throw error;
    console.warn(`\n[weft] Skipping the tests that render with Chromium: ${(error as Error).message}\n`);
    return undefined;
  }
}
