import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "client/index": "src/client/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node22",
  external: ["@weft/core"],
  // `node:sqlite` exists only under its `node:` name; tsup's default strips the prefix.
  removeNodeProtocol: false,
});
