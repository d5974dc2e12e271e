// One of two processes racing on one store (see store-race.ts). Prints what it won, as JSON.
// Usage: node … racer.ts <saver-module> <saver-arg> <prefix> <name> <rounds> <chain-length> <start-at-epoch-ms>
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { isGraphError } from "@weft/core";
import type { Checkpointer } from "@weft/core/adapter";

const [saverModule, saverArg, prefix, name, rounds, chainLength, startAt] = process.argv.slice(2) as string[] as [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
];
const { createSaver } = (await import(pathToFileURL(saverModule).href)) as {
  createSaver: (arg: string) => Checkpointer & { close(): Promise<void> };
};
const saver = createSaver(saverArg);
await saver.get(`${prefix}-warm-up`); // sets the schema up before the race starts
await sleep(Math.max(0, Number(startAt) - Date.now()));

/** Whether the put went through; false when it lost the race (CHECKPOINT_CONFLICT). */
async function tryPut(threadId: string, checkpointId: string, head: string | null): Promise<boolean> {
  try {
    await saver.put({ threadId, checkpointId, parentId: head ?? undefined, step: 1, data: name }, { head });
    return true;
  } catch (error) {
    if (isGraphError(error) && error.code === "CHECKPOINT_CONFLICT") return false;
    throw error;
  }
}

const won = { first: [] as number[], onBase: [] as number[], leases: [] as number[], chain: [] as string[] };
for (let round = 0; round < Number(rounds); round++) {
  if (await tryPut(`${prefix}-first-${round}`, name, null)) won.first.push(round);
  if (await tryPut(`${prefix}-base-${round}`, name, "base")) won.onBase.push(round);
  const lease = await saver.acquireLease({ threadId: `${prefix}-lease-${round}`, owner: name, ttlMs: 600_000 });
  if (lease.acquired) won.leases.push(round);
}
// Both processes extend one thread, each reading the head and retrying when it lost.
const chain = `${prefix}-chain`;
for (let i = 0; i < Number(chainLength); i++) {
  const id = `${name}-${i}`;
  while (!(await tryPut(chain, id, (await saver.get(chain))?.checkpointId ?? null)));
  won.chain.push(id);
}
process.stdout.write(JSON.stringify(won));
await saver.close();
