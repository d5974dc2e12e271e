import { accessSync, constants, statSync } from "node:fs";
import { RenderError } from "./errors.js";

/**
 * Where {@link findChromium} looks after the environment variables, in order: Chromium's headless
 * shell first (Debian's `chromium-headless-shell`, a build made to be driven by programs, which
 * starts faster and with less CPU time than the full browser), then the full browser.
 *
 * @example
 * ```ts
 * findChromium({ candidates: ["/opt/google/chrome/chrome", ...CHROMIUM_CANDIDATES] });
 * ```
 */
export const CHROMIUM_CANDIDATES: readonly string[] = [
  "/usr/bin/chromium-headless-shell",
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
];

/**
 * The `headless` launch option of Puppeteer for a Chromium executable: `"shell"` for Chromium's
 * headless shell (an executable named `chrome-headless-shell`, `chromium-headless-shell` or
 * `headless_shell`), `true` for a full browser.
 *
 * @example
 * ```ts
 * const executablePath = findChromium();
 * const browser = await launch({ executablePath, headless: headlessModeOf(executablePath) });
 * ```
 */
export function headlessModeOf(executablePath: string): true | "shell" {
  return /(?:^|[/\\])(?:chrome-headless-shell|chromium-headless-shell|headless_shell)(?:\.exe)?$/.test(executablePath) ? "shell" : true;
}

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
 * executable of {@link CHROMIUM_CANDIDATES} (`/usr/bin/chromium-headless-shell`,
 * `/usr/bin/chromium`, `/usr/bin/chromium-browser`). A variable that is set must
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
