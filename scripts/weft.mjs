// `pnpm weft <command> …` anywhere in the repository: the built `weft` command (scripts/setup.sh
// builds it), run in the directory pnpm was called from, so that paths are the caller's.
import { existsSync } from "node:fs";

const main = new URL("../packages/cli/dist/main.js", import.meta.url);
if (!existsSync(main)) {
  console.error("weft: the CLI is not built yet; run `pnpm build` (scripts/setup.sh does) and try again.");
  process.exit(1);
}
process.chdir(process.env.INIT_CWD ?? process.cwd());
await import(main.href);
