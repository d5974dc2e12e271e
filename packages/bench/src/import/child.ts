/**
 * One fresh process's import: prints how long importing `@weft/core` (its built `dist`), or
 * zod and immer alone, took, in ms. Plain JavaScript at run time (no tsx), so the figure is
 * what a user's process pays. Run by {@link measureImport}.
 */
const what = process.argv[2];
const t0 = performance.now();
if (what === "core") await import("@weft/core");
else await Promise.all([import("zod"), import("immer")]);
console.log((performance.now() - t0).toFixed(3));
