import { toMermaid, toMermaidGantt, type GraphSource, type MermaidOptions } from "@weft/core/draw";
import { expect } from "vitest";
import { parseMermaid } from "./parse.js";

/** `toMermaid`, checked by mermaid's own parser: a flowchart it accepts, or the test fails. */
export async function drawValid(graph: GraphSource, options?: MermaidOptions): Promise<string> {
  const text = toMermaid(graph, options);
  expect(await parseMermaid(text)).toBe("flowchart-v2");
  return text;
}

/** `toMermaidGantt`, checked by mermaid's own parser. */
export async function ganttValid(...args: Parameters<typeof toMermaidGantt>): Promise<string> {
  const text = toMermaidGantt(...args);
  expect(await parseMermaid(text)).toBe("gantt");
  return text;
}
