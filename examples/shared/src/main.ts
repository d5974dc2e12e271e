import { realpathSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { describeFiles, drawPictures, type Picture } from "./draw.js";
import { explainRefusal, refusalOf } from "./refusal.js";

/**
 * True when the module at `url` (pass `import.meta.url`) is the script node was asked to run,
 * not a module imported by a test.
 *
 * @example
 * ```ts
 * if (isMain(import.meta.url)) await main(process.argv.slice(2));
 * ```
 */
export function isMain(url: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(fileURLToPath(url)) === realpathSync(resolve(script));
  } catch {
    return false;
  }
}

type OwnOptions = NonNullable<ParseArgsConfig["options"]>;

/**
 * The command line of an example's `src/main.ts`: its own options, plus `--draw`, which
 * writes the graph and the run's timeline to `<example>/pictures/` (`--pictures <dir>` to
 * write them elsewhere).
 */
export interface ExampleCli {
  /** The example's own options, as `node:util` `parseArgs` gives them. */
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
}

/**
 * Runs an example when its module is the script node runs (and does nothing when a test
 * imports it): parses the command line, calls `run`, then draws the pictures `run` returns
 * when `--draw` or `--pictures <dir>` was given. A failure sets the exit code to 1; when the
 * model endpoint refused a request (a bad key, an unknown model), it is explained in one
 * paragraph rather than printed with its stack.
 *
 * @example
 * ```ts
 * startExample(import.meta.url, {}, async () => {
 *   const { graph, outcome } = await runBriefing();
 *   return [{ name: "briefing", graph, events: outcome.events, title: "briefing run" }];
 * });
 * ```
 */
export function startExample(url: string, options: OwnOptions, run: (cli: ExampleCli) => Promise<readonly Picture[]>): void {
  if (!isMain(url)) return;
  const go = async (): Promise<void> => {
    const { values } = parseArgs({
      args: process.argv.slice(2).filter((arg) => arg !== "--"),
      strict: true,
      options: { draw: { type: "boolean" }, pictures: { type: "string" }, ...options },
    });
    const pictures = await run({ values: values as ExampleCli["values"] });
    const dir =
      typeof values.pictures === "string"
        ? resolve(process.cwd(), values.pictures)
        : values.draw === true
          ? resolve(dirname(fileURLToPath(url)), "../pictures")
          : undefined;
    if (dir === undefined) return;
    console.log(`\nPictures:\n${describeFiles(await drawPictures(dir, pictures))}`);
  };
  go().catch((error: unknown) => {
    // A refused model call (bad key, unknown model) is the user's to fix: say how, in one paragraph.
    const refusal = refusalOf(error);
    console.error(refusal === undefined ? error : `\n${explainRefusal(refusal)}`);
    process.exitCode = 1;
  });
}
