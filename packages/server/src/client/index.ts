export { ClientError, createClient, type ClientOptions, type FollowOptions, type GraphClient, type RunStart } from "./client.js";
export { parseServerSentEvents, type ServerSentEvent } from "./sse-parser.js";
export type { GraphInput, GraphNodes, GraphState, GraphUpdate, ServerRunEvent, ServerThreadState } from "./types.js";
export type { ErrorBody, ServerErrorCode } from "../errors.js";
export type { RunInfo, RunStatus } from "../events/event-store.js";
