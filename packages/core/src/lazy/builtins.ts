/**
 * The Node built-in modules Weft uses, loaded on first use rather than when the package is
 * imported: importing `node:crypto` or `node:os` costs milliseconds, and importing `node:util`
 * as an ES module reads every export, which loads a dozen more of Node's internal modules.
 * `process.getBuiltinModule` returns the module itself, without that.
 */
let cryptoModule: typeof import("node:crypto") | undefined;
let osModule: typeof import("node:os") | undefined;
let utilModule: typeof import("node:util") | undefined;

/** `node:crypto`, loaded on the first call. */
export const nodeCrypto = (): typeof import("node:crypto") => (cryptoModule ??= process.getBuiltinModule("node:crypto"));

/** `node:os`, loaded on the first call. */
export const nodeOs = (): typeof import("node:os") => (osModule ??= process.getBuiltinModule("node:os"));

/** `node:util`, loaded on the first call. */
export const nodeUtil = (): typeof import("node:util") => (utilModule ??= process.getBuiltinModule("node:util"));
