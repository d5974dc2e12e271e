import { defineConfig } from "vite";

// The studio page: built once into dist/web and served by startStudio; no CDN at run time.
export default defineConfig({
  root: "web",
  base: "./",
  resolve: { conditions: ["@weft/source", "browser", "module", "import", "default"] },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "../dist/web", emptyOutDir: true, chunkSizeWarningLimit: 4096, reportCompressedSize: false },
});
