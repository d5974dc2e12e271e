export { PostgresCheckpointer, type PostgresCheckpointerOptions } from "./postgres-checkpointer.js";
export { DEFAULT_POSTGRES_URL, type PostgresConnection } from "./connection.js";
export { SCHEMA_VERSION } from "./schema.js";
