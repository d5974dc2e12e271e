#!/usr/bin/env node
// The published `weft` command. In the Weft repository, use it as:
// pnpm weft draw <module> -o graph.svg (from the root, after scripts/setup.sh)
import "../dist/main.js";
