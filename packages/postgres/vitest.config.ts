import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@weft/source"] },
  ssr: { resolve: { conditions: ["@weft/source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // No test of this package mocks a module or leaves global state changed: its files share
    // workers, which saves each file's start-up (spawn, then importing Weft and its dependencies).
    isolate: false,
    // The child processes of the crash, race and busy tests run on the built packages: built
    // (from Turbo's cache when nothing changed) before any test starts.
    globalSetup: ["../../scripts/build-for-tests.ts"],
  },
});
