#!/usr/bin/env node
// The published `weft` command. In the Weft repo, run the source instead:
// pnpm --filter @weft/cli run weft -- draw <module> -o graph.svg
import "../dist/main.js";
