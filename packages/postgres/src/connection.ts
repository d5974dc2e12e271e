import pg, { type Pool, type PoolConfig } from "pg";

/**
 * Where a `PostgresCheckpointer` connects when given no pool, config or URL and
 * `WEFT_POSTGRES_URL` is not set: a local development server.
 *
 * @example
 * ```ts
 * const url = process.env.WEFT_POSTGRES_URL ?? DEFAULT_POSTGRES_URL;
 * ```
 * @see ../../../docs/guides/durable-storage.md
 */
export const DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";

/**
 * What a `PostgresCheckpointer` accepts as its connection: a `pg` Pool (yours to end), a pool
 * config or a connection string (it creates the pool and ends it on close).
 *
 * @example
 * ```ts
 * const connection: PostgresConnection = { host: "db", user: "app", database: "app", max: 10 };
 * const checkpointer = new PostgresCheckpointer(connection);
 * ```
 * @see ../../../docs/guides/durable-storage.md
 */
export type PostgresConnection = Pool | PoolConfig | string;

/**
 * The pool to use, and whether the checkpointer made it (and so must end it on close).
 * Without a connection: `WEFT_POSTGRES_URL`, else {@link DEFAULT_POSTGRES_URL}.
 */
export function resolvePool(connection: PostgresConnection | undefined): { pool: Pool; owned: boolean } {
  if (isPool(connection)) return { pool: connection, owned: false };
  const config =
    typeof connection === "string" || connection === undefined
      ? { connectionString: connection ?? process.env.WEFT_POSTGRES_URL ?? DEFAULT_POSTGRES_URL }
      : connection;
  return { pool: new pg.Pool(config), owned: true };
}

// Duck-typed, so that a Pool from another copy of `pg` is accepted too.
function isPool(value: PostgresConnection | undefined): value is Pool {
  return typeof value === "object" && typeof (value as Pool).connect === "function" && typeof (value as Pool).query === "function";
}
