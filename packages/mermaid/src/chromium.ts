import { accessSync, constants, statSync } from "node:fs";
import { RenderError } from "./errors.js";

/**
 * Where {@link findChromium} looks after the environment variables, in order.
 *
 * @example
 * ```ts
 * findChromium({ candidates: ["/opt/google/chrome/chrome", ...CHROMIUM_CANDIDATES] });
 * ```
 */
export const CHROMIUM_CANDIDATES: readonly string[] = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/**
 * Where to look for Chromium; the defaults are the process environment and {@link CHROMIUM_CANDIDATES}.
 *
 * @example
 * ```ts
 * findChromium({ env: { CHROMIUM_PATH: "/snap/bin/chromium" } });
 * ```
 */
export interface ChromiumSearch {
  /** Read `CHROMIUM_PATH` and `PUPPETEER_EXECUTABLE_PATH` from here. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Paths to try when neither variable is set. */
  readonly candidates?: readonly string[];
}

/**
 * Finds a local Chromium: `$CHROMIUM_PATH`, else `$PUPPETEER_EXECUTABLE_PATH`, else the first
 * executable of `/usr/bin/chromium`, `/usr/bin/chromium-browser`. A variable that is set must
 * name an executable file. Throws a `RenderError` with code `CHROMIUM_NOT_FOUND` that lists
 * every place it looked and how to install Chromium.
 *
 * @example
 * ```ts
 * const executablePath = findChromium(); // "/usr/bin/chromium"
 * ```
 * @see ../../../docs/diagrams.md
 */
export function findChromium(search: ChromiumSearch = {}): string {
  const env = search.env ?? process.env;
  const looked: string[] = [];
  for (const name of ["CHROMIUM_PATH", "PUPPETEER_EXECUTABLE_PATH"]) {
    const value = env[name];
    if (value === undefined || value === "") {
      looked.push(`$${name} (not set)`);
      continue;
    }
    if (isExecutable(value)) return value;
    throw new RenderError(
      "CHROMIUM_NOT_FOUND",
      `$${name} is set to "${value}", which is not an executable file: point it at a Chromium executable, or unset it.`,
    );
  }
  for (const candidate of search.candidates ?? CHROMIUM_CANDIDATES) {
    if (isExecutable(candidate)) return candidate;
    looked.push(`${candidate} (missing)`);
  }
  throw new RenderError(
    "CHROMIUM_NOT_FOUND",
    `No Chromium found to render diagrams; looked at ${looked.join(", ")}. ` +
      "Install it (Debian/Ubuntu: apt-get install chromium; in the Weft repo: bash scripts/setup-chromium.sh) " +
      "or set CHROMIUM_PATH to a Chromium or Chrome executable.",
  );
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
