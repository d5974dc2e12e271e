import { mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { RunEvent } from "@weft/core";
import { toMermaid, toMermaidGantt, type GraphSource, type MermaidOptions } from "@weft/core/draw";
import { createRenderer, findChromium, isRenderError } from "@weft/mermaid";

/** A graph to draw, and optionally one of its runs as a timeline. */
export interface Picture {
  /** The file name stem: `<name>-graph.*` and `<name>-timeline.*`. */
  readonly name: string;
  /** Left out when another picture already draws the same graph. */
  readonly graph?: GraphSource;
  readonly graphOptions?: MermaidOptions;
  /** The run's events, for its timeline; no timeline without them. */
  readonly events?: Iterable<RunEvent<unknown, string>>;
  /** The timeline's title. */
  readonly title?: string;
  /**
   * The names the progress display gave the run's tasks (`outcome.progress.views()`), so that
   * the timeline's bars say the same; tasks not listed keep the node's name and Send index.
   */
  readonly labels?: Iterable<{ readonly taskId: string; readonly label: string }>;
}

/**
 * Writes each picture's graph and run timeline as mermaid text (`.mmd`, always), and as
 * `.svg` and `.png` with `@weft/mermaid` when a Chromium is available. Returns the files
 * written and, when nothing was rendered, why.
 *
 * @example
 * ```ts
 * const { files } = await drawPictures("pictures", [{ name: "report", graph, events: outcome.events }]);
 * ```
 */
export async function drawPictures(
  dir: string,
  pictures: readonly Picture[],
  options: { render?: boolean } = {},
): Promise<{ files: string[]; note: string | undefined }> {
  await mkdir(dir, { recursive: true });
  const texts: [string, string][] = [];
  for (const picture of pictures) {
    if (picture.graph !== undefined) texts.push([`${picture.name}-graph`, toMermaid(picture.graph, picture.graphOptions)]);
    if (picture.events !== undefined) {
      const labels = new Map([...(picture.labels ?? [])].map(({ taskId, label }) => [taskId, label]));
      const gantt = toMermaidGantt(picture.events, {
        ...(picture.title === undefined ? {} : { title: picture.title }),
        label: (task) => labels.get(task.taskId),
      });
      texts.push([`${picture.name}-timeline`, gantt]);
    }
  }
  const files: string[] = [];
  for (const [stem, text] of texts) {
    const file = join(dir, `${stem}.mmd`);
    await writeFile(file, text);
    files.push(file);
  }
  if (options.render === false) return { files, note: undefined };
  let executablePath: string;
  try {
    executablePath = findChromium();
  } catch (error) {
    if (!isRenderError(error)) throw error;
    return { files, note: `SVG/PNG skipped: ${error.message}` };
  }
  for (const [stem, text] of texts) {
    // A renderer per diagram: @weft/mermaid's page keeps the viewport of the last PNG it took,
    // and a Gantt chart laid out in a narrow viewport comes out squeezed.
    let renderer: Awaited<ReturnType<typeof createRenderer>>;
    try {
      renderer = await createRenderer({ executablePath });
    } catch (error) {
      if (!isRenderError(error)) throw error;
      return { files, note: `SVG/PNG skipped: ${error.message}` };
    }
    try {
      const svg = join(dir, `${stem}.svg`);
      await writeFile(svg, await renderer.render(text, { format: "svg" }));
      const png = join(dir, `${stem}.png`);
      await writeFile(png, await renderer.render(text, { format: "png", scale: 2 }));
      files.push(svg, png);
    } finally {
      await renderer.close();
    }
  }
  return { files, note: undefined };
}

/** The lines an example prints after drawing: one per file, relative to `cwd`. */
export function describeFiles(result: { files: string[]; note: string | undefined }, cwd = process.cwd()): string {
  const lines = result.files.map((file) => `  wrote ${relative(cwd, file)}`);
  if (result.note !== undefined) lines.push(`  ${result.note}`);
  return lines.join("\n");
}
