/** The warm page: an empty document with a container that diagrams are drawn into. */
export const PAGE_HTML =
  '<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0}' +
  '#container{display:inline-block}</style></head><body><div id="container"></div></body></html>';

/** What the page's `weftRender` returns. */
export type PageResult =
  | { readonly kind: "svg"; readonly svg: string }
  | { readonly kind: "box"; readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number } }
  | { readonly kind: "invalid"; readonly message: string }
  | { readonly kind: "failed"; readonly message: string };

/** The functions the page script defines on the page's `globalThis`. */
export interface WeftPage {
  /** Imports mermaid's ES module entry (a URL the page is served) and applies the configuration. */
  weftInit(entry: string, config: Readonly<Record<string, unknown>>): Promise<void>;
  weftRender(text: string, options: { format: "svg" | "png"; background: string }): Promise<PageResult>;
}

/**
 * Runs in the browser, on the page served at the made-up origin (see renderer.ts). Kept as text
 * so that no Node-side transform (esbuild's keepNames, coverage) can change the code that is
 * sent to the page.
 */
// biome-ignore lint/complexity/noUselessStringRaw: the script is sent verbatim; raw keeps any backslash it gains as written.
export const PAGE_SCRIPT = String.raw`
let mermaid;
globalThis.weftInit = async (entry, config) => {
  mermaid = (await import(entry)).default;
  mermaid.initialize({ startOnLoad: false, ...config });
};
globalThis.weftRender = async (text, options) => {
  const container = document.getElementById("container");
  container.innerHTML = "";
  const messageOf = (error) => String((error && (error.message || error.str)) || error);
  try {
    await mermaid.parse(text);
  } catch (error) {
    return { kind: "invalid", message: messageOf(error) };
  }
  let svgText;
  try {
    ({ svg: svgText } = await mermaid.render("weft", text));
  } catch (error) {
    for (const leftover of document.querySelectorAll("#dweft, #weft")) leftover.remove();
    return { kind: "failed", message: messageOf(error) };
  }
  container.innerHTML = svgText;
  const svg = container.querySelector("svg");
  if (!svg) return { kind: "failed", message: "mermaid produced no <svg> element" };
  svg.style.backgroundColor = options.background;
  if (options.format === "svg") return { kind: "svg", svg: new XMLSerializer().serializeToString(svg) };
  // Draw the PNG at the diagram's own size, not squeezed into the viewport's width.
  const viewBox = svg.viewBox.baseVal;
  if (viewBox && viewBox.width > 0) {
    svg.style.maxWidth = "none";
    svg.setAttribute("width", String(viewBox.width));
    svg.setAttribute("height", String(viewBox.height));
  }
  const rect = svg.getBoundingClientRect();
  return { kind: "box", box: { x: rect.left, y: rect.top, width: rect.width, height: rect.height } };
};
`;
