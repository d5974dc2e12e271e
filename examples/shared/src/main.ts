import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";

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

/** The command line every example understands, plus its own options. */
export interface ExampleArgs {
  /** Where `--draw` writes the pictures, or undefined without it. */
  readonly pictures: string | undefined;
  readonly values: Record<string, string | boolean | undefined>;
}

/**
 * Parses an example's command line: `--draw` writes the graph and the run's timeline to
 * `<example>/pictures/` (`--pictures <dir>` elsewhere), plus the example's own options.
 *
 * @example
 * ```ts
 * const args = exampleArgs(process.argv.slice(2), import.meta.dirname, { topic: { type: "string" } });
 * ```
 */
export function exampleArgs(
  argv: readonly string[],
  exampleDir: string,
  own: NonNullable<ParseArgsConfig["options"]> = {},
): ExampleArgs {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--"),
    strict: true,
    options: { draw: { type: "boolean" }, pictures: { type: "string" }, ...own },
  });
  const dir = typeof values.pictures === "string" ? resolve(process.cwd(), values.pictures) : values.draw ? resolve(exampleDir, "pictures") : undefined;
  return { pictures: dir, values: values as ExampleArgs["values"] };
}
