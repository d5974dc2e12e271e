export { runCli, type CliIo } from "./cli.js";
export { CliError, importModule, pickGraph } from "./load.js";
