export { runCli, type CliIo } from "./cli.js";
export { CliError } from "./cli-error.js";
