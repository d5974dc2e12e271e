/**
 * `pnpm --filter @weft/pack-check run warm-cache`, run by scripts/setup.sh: fills npm's cache
 * with every registry package that the packed-tarball test installs (the tarballs' dependencies
 * and the peers a user adds), by making the same install once in a temporary project and
 * removing it, and installs the newest Node where the test finds it (`NEWEST_NODE_DIR`). The test
 * installs with the cache preferred, so it then runs without waiting on the registry; anything new
 * since (a newer dependency) it still fetches.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONSUMER_PEERS, createConsumerProject, keepNewestNode } from "./consumer.ts";
import { packAll } from "./pack.ts";

const started = performance.now();
const packsDir = await mkdtemp(join(tmpdir(), "weft-packs-"));
const made: string[] = [packsDir];
try {
  const tarballs = (await packAll(packsDir)).map((packed) => packed.tarball);
  // Both mostly wait on the registry.
  const installs = await Promise.allSettled([createConsumerProject({ tarballs, extra: CONSUMER_PEERS }), keepNewestNode()]);
  const [project, node] = installs;
  if (project.status === "fulfilled") made.push(project.value.dir);
  for (const install of [project, node]) if (install.status === "rejected") throw install.reason;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`warm-cache: npm's cache holds what the packed-tarball test installs from the registry (${seconds} s).`);
} finally {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
}
