import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@weft/source"] },
  ssr: { resolve: { conditions: ["@weft/source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Graph modules are imported by Node itself (through tsx), not by vitest: Node needs the
    // source condition to resolve @weft/* to their TypeScript sources.
    execArgv: ["--conditions=@weft/source"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The weft processes of the tests run the built command: built (from Turbo's cache when
    // nothing changed) before any test starts.
    globalSetup: ["../../scripts/build-for-tests.ts"],
  },
});
