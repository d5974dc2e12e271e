import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@weft/source"] },
  ssr: { resolve: { conditions: ["@weft/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    // Type-checking a docs tree with tsc takes a few seconds.
    testTimeout: 60_000,
    // The docs' weft command lines run the built command: built (from Turbo's cache when nothing
    // changed) before any test starts.
    globalSetup: ["../../scripts/build-for-tests.ts"],
  },
});
