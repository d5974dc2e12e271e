export { isModelError, ModelError, type ModelErrorCode } from "./errors.js";

export {
  isOpenAIEvent,
  isOpenAIRunEvent,
  sumUsage,
  type DeltaEvent,
  type OpenAIEvent,
  type OpenAIRunEvent,
  type TokenUsage,
  type ToolEvent,
  type UsageEvent,
} from "./events/events.js";

export { toOpenAISchema, type OpenAISchema } from "./schema/json-schema.js";

export { ChatMessage, lastAssistant, messageList, textOf, toolCallsOf } from "./messages/messages.js";

export { callModel, type CallModelOptions, type ParsedOf } from "./model/call-model.js";
export { modelNode, type FromInput, type ModelNodeOptions } from "./model/model-node.js";
export { estimateRequest, type ModelEstimate } from "./model/estimate.js";
export { parseStructured } from "./model/parse.js";
export type { CallContext, ChatClient, ModelAnswer, ModelRequest } from "./model/types.js";

export { tool, type Tool, type ToolContext, type ToolSpec } from "./tools/tool.js";
export {
  runToolCalls,
  type RunToolCallsOptions,
  type ToolFailure,
  type ToolResult,
} from "./tools/run-tool-calls.js";
export {
  toolNode,
  type MessagesInput,
  type ToolNodeBaseOptions,
  type ToolNodeOptions,
} from "./tools/tool-node.js";

export {
  agentGraph,
  agentNodes,
  AgentState,
  type AgentNodes,
  type AgentOptions,
  type AgentStateSchema,
} from "./agent/agent.js";

export {
  SYNTHESIS_INSTRUCTIONS,
  synthesisMessages,
  synthesisNode,
  synthesize,
  type SynthesisNodeOptions,
  type SynthesizeOptions,
} from "./aggregate/synthesize.js";
export {
  judgeNode,
  judgePanel,
  judgePanelState,
  sendToJudges,
  tallyVotes,
  verdictSchema,
  type JudgeNodeOptions,
  type JudgePanelOptions,
  type Labels,
  type Verdict,
  type VoteReport,
} from "./aggregate/judge.js";
