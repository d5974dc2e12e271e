import type { Output, ProgressOptions } from "./progress.js";

/** The options every example's run function takes; all optional, for `pnpm start`. */
export interface ExampleOptions {
  /** Where progress and the summary go. Default `process.stdout`. */
  readonly out?: Output;
  /** Redraw progress lines in place. Default: when `out` is a terminal. */
  readonly tty?: boolean;
  /** `"auto"` (default): OpenAI when `OPENAI_API_KEY` is set, else the local test server. */
  readonly mode?: "auto" | "offline" | "openai";
  /** Multiplies every simulated latency. Default `WEFT_LATENCY_SCALE`, or 1. */
  readonly latencyScale?: number;
}

/**
 * A `print(line)` to `options.out`, and the progress display's options from the same.
 *
 * @example
 * ```ts
 * const { print, progress } = output(options);
 * print("Running 4 parallel reviews...");
 * await runWithProgress(graph, input, { progress });
 * ```
 */
export function output(options: ExampleOptions): { print: (text?: string) => void; progress: ProgressOptions } {
  const out = options.out ?? process.stdout;
  return {
    print: (text = "") => void out.write(`${text}\n`),
    progress: { out, ...(options.tty === undefined ? {} : { tty: options.tty }) },
  };
}

/**
 * An {@link Output} that keeps what is written, for tests.
 *
 * @example
 * ```ts
 * const printed = memoryOutput();
 * await runBriefing({ out: printed, tty: false });
 * expect(printed.text()).toContain("Here's your briefing:");
 * ```
 */
export function memoryOutput(): Output & { text(): string } {
  let text = "";
  return {
    write: (chunk: string) => {
      text += chunk;
    },
    text: () => text,
  };
}
