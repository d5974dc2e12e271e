export { SqliteCheckpointer, type SqliteCheckpointerOptions } from "./sqlite-checkpointer.js";
export { SCHEMA_VERSION } from "./schema.js";
