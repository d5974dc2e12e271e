import { mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { toMermaid, toMermaidGantt, type Drawable, type MermaidOptions, type RunEvent } from "@weft/core";
import { createRenderer, findChromium, isRenderError } from "@weft/mermaid";

/** What {@link drawPictures} takes. */
export interface DrawOptions {
  /** Where to write; created if missing. */
  readonly dir: string;
  /** The file name stem: `<name>-graph.*` and `<name>-timeline.*`. */
  readonly name: string;
  readonly graph: Drawable;
  /** The run's events, for its timeline; no timeline without them. */
  readonly events?: Iterable<RunEvent<unknown, string>>;
  readonly graphOptions?: MermaidOptions;
  /** The timeline's title. */
  readonly title?: string;
  /** Render SVG and PNG too when a Chromium is found. Default true. */
  readonly render?: boolean;
}

/**
 * Writes an example's graph and its run timeline as mermaid text (`.mmd`, always), and as
 * `.svg` and `.png` with `@weft/mermaid` when a Chromium is available. Returns the files
 * written and, when nothing was rendered, why.
 *
 * @example
 * ```ts
 * const { files } = await drawPictures({ dir: "pictures", name: "report", graph, events: outcome.events });
 * ```
 */
export async function drawPictures(options: DrawOptions): Promise<{ files: string[]; note: string | undefined }> {
  await mkdir(options.dir, { recursive: true });
  const texts: [string, string][] = [[`${options.name}-graph`, toMermaid(options.graph, options.graphOptions)]];
  if (options.events !== undefined) {
    const title = options.title === undefined ? {} : { title: options.title };
    texts.push([`${options.name}-timeline`, toMermaidGantt(options.events, title)]);
  }
  const files: string[] = [];
  for (const [stem, text] of texts) {
    const file = join(options.dir, `${stem}.mmd`);
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
  const renderer = await createRenderer({ executablePath });
  try {
    for (const [stem, text] of texts) {
      const svg = join(options.dir, `${stem}.svg`);
      await writeFile(svg, await renderer.render(text, { format: "svg" }));
      const png = join(options.dir, `${stem}.png`);
      await writeFile(png, await renderer.render(text, { format: "png", scale: 2 }));
      files.push(svg, png);
    }
  } finally {
    await renderer.close();
  }
  return { files, note: undefined };
}

/** The lines an example prints after drawing: one per file, relative to `cwd`. */
export function describeFiles(result: { files: string[]; note: string | undefined }, cwd = process.cwd()): string {
  const lines = result.files.map((file) => `  wrote ${relative(cwd, file)}`);
  if (result.note !== undefined) lines.push(`  ${result.note}`);
  return lines.join("\n");
}
