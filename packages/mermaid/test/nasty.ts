import { END, START, StateGraph } from "@weft/core";
import { z } from "zod";

/** Node names that break naive mermaid output: keywords, spaces, quotes, brackets, markup, unicode. */
export const NASTY_NAMES = [
  "end",
  "class",
  "graph",
  "subgraph",
  "click",
  "style",
  "a b",
  'say "hi"',
  "[x]",
  "{y}",
  "(z)",
  "a#b;",
  "#quot;",
  "<b>bold</b>",
  "a&amp;b",
  "`md`",
  "grün ✓ 日本 🚀",
  "x --> y",
  "a|b",
  "%%c",
  "back\\slash",
  "semi;colon",
  "key: value",
] as const;

/** A worker (own input schema), a deferred node and a path map, all with nasty names. */
export const NASTY_WORKER = 'work|er "1"';
export const NASTY_DEFERRED = "done?) ]]";
export const NASTY_KEYS = ['"quoted" key', "-->", "a|b"] as const;

/**
 * A chain START → every nasty name → a router (nasty path keys) → worker / deferred → END.
 * Built through a loosely typed builder: the names are data here, not literals.
 */
export function nastyGraph(): StateGraph<z.ZodObject<{ n: z.ZodNumber }>> {
  const State = z.object({ n: z.number() });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- names are runtime data here
  let builder: any = new StateGraph(State, { name: 'nasty "graph"' });
  for (const name of NASTY_NAMES) builder = builder.addNode(name, () => ({}));
  builder = builder
    .addNode(NASTY_WORKER, () => ({}), { input: z.object({ i: z.number() }) })
    .addNode(NASTY_DEFERRED, () => ({}), { defer: true });
  let previous: string = START;
  for (const name of NASTY_NAMES) {
    builder = builder.addEdge(previous, name);
    previous = name;
  }
  builder = builder
    .addConditionalEdges(previous, () => "-->", {
      [NASTY_KEYS[0]]: NASTY_WORKER,
      [NASTY_KEYS[1]]: NASTY_DEFERRED,
      [NASTY_KEYS[2]]: END,
    })
    .addEdge(NASTY_WORKER, NASTY_DEFERRED)
    .addEdge(NASTY_DEFERRED, END);
  return builder;
}
