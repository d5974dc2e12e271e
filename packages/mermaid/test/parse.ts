import { JSDOM } from "jsdom";

type Mermaid = typeof import("mermaid").default;
let loaded: Promise<Mermaid> | undefined;

/** Mermaid's own parser, in Node: mermaid needs a DOM (DOMPurify), which jsdom provides. */
function load(): Promise<Mermaid> {
  loaded ??= (async () => {
    const { window } = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
    const globals = globalThis as Record<string, unknown>;
    globals.window ??= window;
    globals.document ??= window.document;
    globals.DOMParser ??= window.DOMParser;
    globals.Element ??= window.Element;
    const { default: mermaid } = await import("mermaid");
    mermaid.initialize({ startOnLoad: false });
    return mermaid;
  })();
  return loaded;
}

/**
 * Parses `text` with mermaid's own parser and returns the diagram type; throws mermaid's
 * syntax error for invalid text.
 */
export async function parseMermaid(text: string): Promise<string> {
  const mermaid = await load();
  return (await mermaid.parse(text)).diagramType;
}
