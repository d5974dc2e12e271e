/**
 * A module of Weft's own that is loaded on first use rather than when the package is imported:
 * a build splits what only it reaches into a chunk of its own, which a program parses once it
 * needs it.
 */
export interface LazyModule<M> {
  /** Loads the module (once; later calls share the first load). */
  load(): Promise<M>;
  /** `use(module)`: called at once when the module is loaded, once it is otherwise. */
  with<T>(use: (module: M) => Promise<T>): Promise<T>;
}

/** A {@link LazyModule} that `importer` (a function calling `import()`) loads. */
export function lazyModule<M>(importer: () => Promise<M>): LazyModule<M> {
  let loaded: M | undefined;
  let loading: Promise<M> | undefined;
  const load = (): Promise<M> =>
    (loading ??= importer().then((module) => {
      loaded = module;
      return module;
    }));
  return {
    load,
    with: (use) => (loaded === undefined ? load().then(use) : use(loaded)),
  };
}
