#!/usr/bin/env node
import { runWorkerCommand, UsageError } from "./worker-cli.js";

// `weft-worker <module> [options]`: runs a graph's task attempts until SIGINT/SIGTERM.
runWorkerCommand(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`weft-worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
