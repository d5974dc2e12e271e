import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The layers of @weft/core's source: which folder may import which. Data flows one way, from
 * plain records at the bottom to the entry points at the top; docs/architecture.md draws this
 * graph from the imports themselves, and this test keeps the two in step.
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  records: [],
  lazy: [],
  errors: ["records"],
  options: ["records", "errors"],
  controls: ["records", "errors", "options", "lazy"],
  state: ["records", "errors"],
  stream: ["records", "errors"],
  graph: ["records", "errors", "options", "controls", "state"],
  runtime: ["records", "errors", "options", "controls", "state", "stream", "graph", "lazy"],
  checkpoint: ["records", "errors", "state", "graph", "lazy"],
  thread: ["records", "errors", "options", "controls", "state", "stream", "graph", "runtime", "checkpoint", "lazy"],
  compiled: ["records", "errors", "options", "controls", "state", "stream", "graph", "runtime", "checkpoint", "thread", "lazy"],
  builder: ["records", "errors", "options", "controls", "state", "graph", "compiled"],
  draw: ["records", "errors", "stream", "graph"],
  aggregate: ["errors"],
  load: ["errors", "graph"],
  testing: ["records", "errors", "checkpoint"],
  entries: [
    ...["records", "lazy", "errors", "options", "controls", "state", "stream", "graph", "runtime", "checkpoint", "thread"],
    ...["compiled", "builder", "draw", "aggregate", "load", "testing"],
  ],
};

const SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "src");
const ENTRIES = new Set(["index", "adapter", "draw", "aggregate", "load"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !/\.test(-d)?\.ts$/.test(name) ? [path] : [];
  });
}

/** The layer a file belongs to: its folder under src/, or its own name for top-level files. */
function layerOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  if (parts.length > 1) return parts[0]!;
  const base = parts[0]!.replace(/\.(ts|js)$/, "");
  return ENTRIES.has(base) ? "entries" : base;
}

/** Every import between layers, type-only imports included, as `from → to` with the files that make it. */
function layerImports(): Map<string, Map<string, string[]>> {
  const edges = new Map<string, Map<string, string[]>>();
  for (const file of sourceFiles(SRC)) {
    const from = layerOf(file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/g)) {
      const to = layerOf(normalize(join(dirname(file), match[1]!)));
      if (to === from) continue;
      const targets = edges.get(from) ?? new Map<string, string[]>();
      edges.set(from, targets);
      targets.set(to, [...(targets.get(to) ?? []), relative(SRC, file)]);
    }
  }
  return edges;
}

/** The layers in an order where each comes after every layer it imports; throws on a cycle. */
function layerOrder(edges: Map<string, Map<string, string[]>>): string[] {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (layer: string, path: string[]): void => {
    if (state.get(layer) === "done") return;
    if (state.get(layer) === "visiting") throw new Error(`import cycle between layers: ${[...path, layer].join(" → ")}`);
    state.set(layer, "visiting");
    for (const to of [...(edges.get(layer)?.keys() ?? [])].sort()) visit(to, [...path, layer]);
    state.set(layer, "done");
    order.push(layer);
  };
  for (const layer of Object.keys(MAY_IMPORT)) visit(layer, []);
  for (const layer of [...edges.keys()].sort()) visit(layer, []);
  return order;
}

/**
 * The layer graph as a mermaid flowchart, entry points on top and records at the bottom. Only
 * the edges no longer path implies are drawn (a transitive reduction): the picture shows the
 * order of the layers, the test above checks every import.
 */
function layerDiagram(): string {
  const edges = layerImports();
  const order = layerOrder(edges);
  const below = new Map<string, Set<string>>();
  for (const layer of order) {
    const reach = new Set<string>();
    for (const to of edges.get(layer)?.keys() ?? []) {
      reach.add(to);
      for (const deeper of below.get(to) ?? []) reach.add(deeper);
    }
    below.set(layer, reach);
  }
  const lines = ["flowchart BT"];
  for (const layer of order) lines.push(`  ${layer}["${layer === "entries" ? "entry points" : `${layer}/`}"]`);
  for (const from of order) {
    const direct = [...(edges.get(from)?.keys() ?? [])].sort();
    for (const to of direct) {
      const implied = direct.some((other) => other !== to && below.get(other)?.has(to) === true);
      if (!implied) lines.push(`  ${to} --> ${from}`);
    }
  }
  return lines.join("\n");
}

describe("the layers of @weft/core", () => {
  it("import one another without a cycle", () => {
    expect(() => layerOrder(layerImports())).not.toThrow();
  });

  it("import only the layers below them", () => {
    const wrong: string[] = [];
    for (const [from, targets] of layerImports()) {
      const allowed = MAY_IMPORT[from];
      if (allowed === undefined) {
        wrong.push(`${from}/ is a layer this test does not know: add it to MAY_IMPORT`);
        continue;
      }
      for (const [to, files] of targets) {
        if (!allowed.includes(to)) wrong.push(`${from}/ imports ${to}/ (${files.join(", ")})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("are drawn in docs/architecture.md as they are (WEFT_DRAW_LAYERS=1 draws them again)", () => {
    const path = join(SRC, "..", "..", "..", "docs", "architecture.md");
    const page = readFileSync(path, "utf8");
    const block = /```mermaid\n(flowchart BT[\s\S]*?)\n```/;
    if (process.env.WEFT_DRAW_LAYERS === "1") writeFileSync(path, page.replace(block, `\`\`\`mermaid\n${layerDiagram()}\n\`\`\``));
    expect(block.exec(readFileSync(path, "utf8"))?.[1]).toBe(layerDiagram());
  });
});
