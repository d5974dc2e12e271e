import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Packing builds seven packages and npm installs their tarballs: minutes, not seconds.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
