import { JSDOM } from "jsdom";
import { expect } from "vitest";

const { DOMParser } = new JSDOM("").window;

/** Parses SVG text as strict XML (failing the test if it is not) and returns the `<svg>` root. */
export function parseSvg(svg: string): Element {
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
  expect(doc.getElementsByTagName("parsererror")).toHaveLength(0);
  const root = doc.documentElement;
  expect(root.localName).toBe("svg");
  return root;
}

/** The text of every node and edge label of a rendered flowchart, whitespace folded. */
export function flowchartLabels(root: Element): string[] {
  return [...root.querySelectorAll(".nodeLabel, .edgeLabel")]
    .map((label) => label.textContent?.replace(/\s+/g, " ").trim() ?? "")
    .filter((text) => text !== "");
}

/** Width and height from a PNG's IHDR chunk, after checking the PNG signature. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect(String.fromCharCode(...png.subarray(12, 16))).toBe("IHDR");
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** The width and height of an `<svg>`'s viewBox. */
export function viewBoxSize(root: Element): { width: number; height: number } {
  const [, , width, height] = (root.getAttribute("viewBox") ?? "").split(/[\s,]+/).map(Number);
  return { width: width!, height: height! };
}
