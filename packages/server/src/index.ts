export { createGraphApp, listen, serveGraphs, type GraphApp, type GraphAppOptions, type GraphServer, type ListenOptions } from "./serve.js";
export { errorResponse, ServerError, type ErrorBody, type ServerErrorCode } from "./errors.js";
export type { EventStore, RunInfo, RunStatus, StoredEvent } from "./events/event-store.js";
export { MemoryEventStore } from "./events/memory-event-store.js";
export { SqliteEventStore } from "./events/sqlite-event-store.js";
export type { AnyCompiledGraph } from "./runs/run-manager.js";
