export { lastMessageText, lastUserText, startTestServer, type TestServer, type TestServerOptions } from "./server.js";
export type {
  ChatRequestBody,
  Matcher,
  RecordedRequest,
  Reply,
  ReplyHandler,
  ReplyTiming,
  ScriptedReply,
  ScriptedToolCall,
} from "./types.js";
