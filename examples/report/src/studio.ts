/**
 * The report example for Weft Studio (`pnpm studio`): the same graph on the local test server
 * (or OpenAI when OPENAI_API_KEY is set), with a checkpointer so runs live in threads, and a
 * breakpoint before "assemble" so the drafts can be reviewed before the introduction is written.
 */
import { MemoryCheckpointer } from "@weft/core";
import { exampleClient } from "@weft/example-shared";
import { reportGraph } from "./graph.js";
import { DEFAULT_TOPIC, genericReply, REPLIES } from "./replies.js";

const llm = await exampleClient({ replies: REPLIES, handler: genericReply });

export const graph = reportGraph({
  client: llm.client,
  model: llm.model,
  compile: { checkpointer: new MemoryCheckpointer(), interruptBefore: ["assemble"] },
});

/** What the studio's run form starts with. */
export const input = { topic: DEFAULT_TOPIC };

/** Stops the local model server. */
export const close = (): Promise<void> => llm.close();
