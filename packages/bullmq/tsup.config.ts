import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "bin/weft-worker": "src/bin/weft-worker.ts" },
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts" } },
  clean: true,
  sourcemap: true,
  target: "node22",
  external: ["@weft/core", "bullmq", "ioredis"],
});
