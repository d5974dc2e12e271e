import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { findChromium, headlessModeOf, type ChromiumSearch } from "./chromium.js";
import { isRenderError, RenderError } from "./errors.js";
import { PAGE_HTML, PAGE_SCRIPT, type PageResult, type WeftPage } from "./page.js";

/**
 * Output formats: SVG text or PNG bytes.
 *
 * @example
 * ```ts
 * const format: RenderFormat = path.endsWith(".png") ? "png" : "svg";
 * ```
 */
export type RenderFormat = "svg" | "png";

/**
 * Options of {@link createRenderer}.
 *
 * @example
 * ```ts
 * const renderer = await createRenderer({ mermaidConfig: { theme: "dark" }, timeoutMs: 30_000 });
 * ```
 */
export interface RendererOptions extends ChromiumSearch {
  /** The Chromium executable; found with `findChromium` when not given. */
  readonly executablePath?: string;
  /** Extra Chromium flags, added to `--no-sandbox --disable-gpu --disable-background-networking`. */
  readonly args?: readonly string[];
  /**
   * Mermaid configuration (theme, themeVariables, flowchart, gantt, …), applied once to the
   * warm page. Default: mermaid's defaults with `securityLevel: "strict"`.
   */
  readonly mermaidConfig?: Readonly<Record<string, unknown>>;
  /**
   * `"page"` (default) renders every diagram on one warm page with mermaid loaded once (about
   * 0.1–0.3 s a diagram); `"mermaid-cli"` calls mermaid-cli's `renderMermaid` on the shared
   * browser, a fresh page per diagram (about 1–3 s), with mermaid-cli's fonts and defaults. That
   * engine needs the optional peer dependency `@mermaid-js/mermaid-cli` installed; without it,
   * `createRenderer` throws a `RenderError` `MERMAID_CLI_NOT_INSTALLED`.
   */
  readonly engine?: "page" | "mermaid-cli";
  /** How long one browser call may take before it fails, in ms. Default 60 000. */
  readonly timeoutMs?: number;
}

/**
 * Options of one render.
 *
 * @example
 * ```ts
 * await renderer.render(text, { format: "png", scale: 2, backgroundColor: "transparent" });
 * ```
 */
export interface RenderOptions<TFormat extends RenderFormat = RenderFormat> {
  readonly format: TFormat;
  /** A CSS color, or `"transparent"` (PNG only). Default `"white"`. */
  readonly backgroundColor?: string;
  /** PNG pixels per CSS pixel. Default 1; 2 gives a sharp image for docs. */
  readonly scale?: number;
}

/**
 * A warm Chromium with mermaid loaded, rendering one diagram after another. Create it once,
 * render many diagrams, then `close()` it.
 *
 * @example
 * ```ts
 * const renderer: Renderer = await createRenderer();
 * const [a, b] = await Promise.all([renderer.render(one, { format: "svg" }), renderer.render(two, { format: "svg" })]);
 * await renderer.close();
 * ```
 */
export interface Renderer {
  /** Renders mermaid text to SVG (a string of XML). */
  render(text: string, options: RenderOptions<"svg">): Promise<string>;
  /** Renders mermaid text to PNG bytes. */
  render(text: string, options: RenderOptions<"png">): Promise<Uint8Array>;
  render(text: string, options: RenderOptions): Promise<string | Uint8Array>;
  /** Closes the browser. Safe to call more than once. */
  close(): Promise<void>;
}

const BASE_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"];

/**
 * Starts a local Chromium (no network, no browser download) and loads mermaid into one page,
 * so that many diagrams render quickly. Throws a `RenderError` `CHROMIUM_NOT_FOUND` naming the
 * paths it tried when there is no Chromium.
 *
 * @example
 * ```ts
 * const renderer = await createRenderer();
 * try {
 *   await writeFile("graph.svg", await renderer.render(toMermaid(graph), { format: "svg" }));
 *   await writeFile("graph.png", await renderer.render(toMermaid(graph), { format: "png", scale: 2 }));
 * } finally {
 *   await renderer.close();
 * }
 * ```
 * @see ../../../docs/diagrams.md
 */
export async function createRenderer(options: RendererOptions = {}): Promise<Renderer> {
  const executablePath = options.executablePath ?? findChromium(options);
  const cliRender = options.engine === "mermaid-cli" ? await loadMermaidCli() : undefined;
  const { launch } = await import("puppeteer-core");
  let browser: Browser;
  try {
    browser = await launch({
      executablePath,
      headless: headlessModeOf(executablePath),
      args: [...BASE_ARGS, ...(options.args ?? [])],
      protocolTimeout: options.timeoutMs ?? 60_000,
    });
  } catch (error) {
    throw new RenderError("CHROMIUM_LAUNCH_FAILED", `Chromium at ${executablePath} did not start: ${messageOf(error)}`, {
      cause: error,
    });
  }
  try {
    return cliRender !== undefined
      ? new CliRenderer(browser, { cliRender, mermaidConfig: options.mermaidConfig ?? {} })
      : new PageRenderer(browser, await openWarmPage(browser, options.mermaidConfig ?? {}));
  } catch (error) {
    await browser.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Renders one diagram: starts Chromium, renders, closes it. For many diagrams, use
 * {@link createRenderer} and keep it.
 *
 * @example
 * ```ts
 * const svg = await renderMermaid("flowchart LR\n  a --> b", { format: "svg" });
 * ```
 * @see ../../../docs/diagrams.md
 */
export async function renderMermaid(text: string, options: RenderOptions<"svg"> & RendererOptions): Promise<string>;
export async function renderMermaid(text: string, options: RenderOptions<"png"> & RendererOptions): Promise<Uint8Array>;
export async function renderMermaid(text: string, options: RenderOptions & RendererOptions): Promise<string | Uint8Array> {
  const renderer = await createRenderer(options);
  try {
    return await renderer.render(text, options);
  } finally {
    await renderer.close();
  }
}

/**
 * The made-up origin the warm page is served from. Its requests never reach a network: the page's
 * request handler answers them from mermaid's package, and aborts every other request.
 */
const PAGE_ORIGIN = "https://weft-mermaid.invalid";

/**
 * The folder of mermaid's ES module build. Its entry loads the code of each kind of diagram
 * (flowchart, gantt, …) the first time one is drawn, so the page compiles a few hundred KB, not
 * the 5.5 MB of every diagram kind in the one-file build.
 */
function mermaidDist(): string {
  return dirname(createRequire(import.meta.url).resolve("mermaid/dist/mermaid.esm.min.mjs"));
}

type CliRender = typeof import("@mermaid-js/mermaid-cli").renderMermaid;

/**
 * mermaid-cli's `renderMermaid`, for the `"mermaid-cli"` engine. mermaid-cli is an optional peer
 * dependency: the page engine does not need it, and it brings a few hundred MB of packages.
 */
async function loadMermaidCli(): Promise<CliRender> {
  try {
    return (await import("@mermaid-js/mermaid-cli")).renderMermaid;
  } catch (error) {
    // ERR_MODULE_NOT_FOUND from the ES module build, MODULE_NOT_FOUND from the CommonJS one.
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    const missing = (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && String(message).includes("@mermaid-js/mermaid-cli");
    throw new RenderError(
      missing ? "MERMAID_CLI_NOT_INSTALLED" : "RENDER_FAILED",
      missing
        ? 'The "mermaid-cli" engine needs @mermaid-js/mermaid-cli, which is not installed: install it beside @weft/mermaid (npm install @mermaid-js/mermaid-cli), or leave `engine` out to render on the warm page.'
        : `@mermaid-js/mermaid-cli did not load: ${messageOf(error)}`,
      { cause: error },
    );
  }
}

/** The decoded path of a URL, or undefined when it does not decode (`%zz`). */
function pathOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
}

/** Serves the page and mermaid's module files to the warm page; every other request is aborted. */
function serveOffline(page: Page): void {
  const dist = mermaidDist();
  const files = new Map<string, Promise<Buffer | undefined>>();
  const read = (path: string): Promise<Buffer | undefined> => {
    let file = files.get(path);
    if (file === undefined) files.set(path, (file = readFile(path).catch(() => undefined)));
    return file;
  };
  page.on("request", (request) => {
    const url = request.url();
    if (url.startsWith("data:") || url.startsWith("about:")) return void request.continue();
    if (!url.startsWith(`${PAGE_ORIGIN}/`)) return void request.abort("blockedbyclient");
    const path = pathOf(url);
    if (path === "/") return void request.respond({ status: 200, contentType: "text/html", body: PAGE_HTML });
    const file = path === undefined ? undefined : join(dist, path);
    if (file === undefined || !file.startsWith(dist + sep) || !file.endsWith(".mjs")) {
      return void request.respond({ status: 404, body: "" });
    }
    // A page closed in the meantime takes no answer; that is not an error of a render.
    void read(file)
      .then((body) =>
        body === undefined
          ? request.respond({ status: 404, body: "" })
          : request.respond({ status: 200, contentType: "text/javascript", body }),
      )
      .catch(() => undefined);
  });
}

async function openWarmPage(browser: Browser, mermaidConfig: Readonly<Record<string, unknown>>): Promise<Page> {
  const page = await browser.newPage();
  // Offline by construction: nothing on this page may reach the network.
  await page.setRequestInterception(true);
  serveOffline(page);
  await page.goto(`${PAGE_ORIGIN}/`);
  await page.addScriptTag({ content: PAGE_SCRIPT });
  await page.evaluate(
    (entry, config) => (globalThis as unknown as WeftPage).weftInit(entry, config),
    `${PAGE_ORIGIN}/mermaid.esm.min.mjs`,
    {
      securityLevel: "strict",
      ...mermaidConfig,
    },
  );
  return page;
}

/** The viewport every diagram is laid out in. */
const LAYOUT_VIEWPORT = { width: 1200, height: 800, deviceScaleFactor: 1 };

abstract class QueuedRenderer implements Renderer {
  protected readonly browser: Browser;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(browser: Browser) {
    this.browser = browser;
    browser.on("disconnected", () => {
      this.#closed = true;
    });
  }

  render(text: string, options: RenderOptions<"svg">): Promise<string>;
  render(text: string, options: RenderOptions<"png">): Promise<Uint8Array>;
  render(text: string, options: RenderOptions): Promise<string | Uint8Array>;
  render(text: string, options: RenderOptions): Promise<string | Uint8Array> {
    if (options.format !== "svg" && options.format !== "png") {
      return Promise.reject(new TypeError(`Unknown format "${String(options.format)}": use "svg" or "png".`));
    }
    // One diagram at a time: the page (and its mermaid) is shared.
    const result = this.#queue.then(() => {
      if (this.#closed) throw new RenderError("RENDERER_CLOSED", "This renderer is closed: create a new one with createRenderer().");
      return this.renderOne(text, options).catch((error: unknown) => {
        if (isRenderError(error)) throw error;
        throw new RenderError("RENDER_FAILED", `Rendering the diagram failed: ${messageOf(error)}`, { cause: error });
      });
    });
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    if (this.#closed && !this.browser.connected) return;
    this.#closed = true;
    await this.#queue;
    await this.browser.close().catch(() => undefined);
  }

  protected abstract renderOne(text: string, options: RenderOptions): Promise<string | Uint8Array>;
}

class PageRenderer extends QueuedRenderer {
  readonly #page: Page;

  constructor(browser: Browser, page: Page) {
    super(browser);
    this.#page = page;
  }

  protected async renderOne(text: string, options: RenderOptions): Promise<string | Uint8Array> {
    const page = this.#page;
    const background = options.backgroundColor ?? "white";
    // Mermaid lays some diagrams (gantt charts) out to the page width, so every render starts
    // from the same viewport rather than the size of the last PNG.
    const viewport = page.viewport();
    if (viewport?.width !== LAYOUT_VIEWPORT.width || viewport.height !== LAYOUT_VIEWPORT.height) {
      await page.setViewport(LAYOUT_VIEWPORT);
    }
    const result: PageResult = await page.evaluate((t, o) => (globalThis as unknown as WeftPage).weftRender(t, o), text, {
      format: options.format,
      background,
    });
    if (result.kind === "invalid") throw new RenderError("INVALID_DIAGRAM", `Mermaid rejected the diagram: ${result.message}`);
    if (result.kind === "failed") throw new RenderError("RENDER_FAILED", `Mermaid could not draw the diagram: ${result.message}`);
    if (result.kind === "svg") return result.svg;
    const { x, y, width, height } = result.box;
    await page.setViewport({
      width: Math.max(1, Math.ceil(x + width)),
      height: Math.max(1, Math.ceil(y + height)),
      deviceScaleFactor: options.scale ?? 1,
    });
    const png = await page.screenshot({
      type: "png",
      clip: { x, y, width: Math.ceil(width), height: Math.ceil(height) },
      omitBackground: background === "transparent",
    });
    return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
  }
}

class CliRenderer extends QueuedRenderer {
  readonly #cliRender: CliRender;
  readonly #mermaidConfig: Readonly<Record<string, unknown>>;

  constructor(browser: Browser, engine: { cliRender: CliRender; mermaidConfig: Readonly<Record<string, unknown>> }) {
    super(browser);
    this.#cliRender = engine.cliRender;
    this.#mermaidConfig = engine.mermaidConfig;
  }

  protected async renderOne(text: string, options: RenderOptions): Promise<string | Uint8Array> {
    let data: Uint8Array;
    try {
      ({ data } = await this.#cliRender(this.browser as never, text, options.format, {
        backgroundColor: options.backgroundColor ?? "white",
        mermaidConfig: { securityLevel: "strict", ...this.#mermaidConfig } as never,
        fontEmbed: false,
        viewport: { width: 800, height: 600, deviceScaleFactor: options.scale ?? 1 },
      }));
    } catch (error) {
      const message = messageOf(error);
      const code = /parse error|syntax error|lexical error|no diagram type/i.test(message) ? "INVALID_DIAGRAM" : "RENDER_FAILED";
      throw new RenderError(code, `mermaid-cli could not render the diagram: ${message}`, { cause: error });
    }
    return options.format === "svg" ? new TextDecoder().decode(data) : data;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
