import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Packing builds seven packages and npm installs their tarballs (mermaid-cli and puppeteer
    // among their dependencies): minutes, and on a busy machine well over five.
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
});
