import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@weft/source"] },
  ssr: { resolve: { conditions: ["@weft/source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // No test of this package mocks a module or leaves global state changed: its files share
    // workers, which saves each file's start-up (spawn, then importing Weft and its dependencies).
    isolate: false,
    // One Chromium per test file; starting it takes a few seconds on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
