export { exampleClient, scaleReply, type ExampleClient, type ExampleClientOptions, type Outage } from "./client.js";
export { describeFiles, drawPictures, type Picture } from "./draw.js";
export { checkGuide, guideQuotes, type GuideQuote } from "./guide.js";
export { latencyScale, seconds, sleep } from "./latency.js";
export { isMain, startExample, type ExampleCli } from "./main.js";
export { message, Progress, type Output, type ProgressOptions, type TaskStatus, type TaskView } from "./progress.js";
export { explainRefusal, refusalOf, type Refusal } from "./refusal.js";
export { runWithProgress, stateOf, timingSummary, type RunOutcome, type Streamable } from "./run.js";
export { memoryOutput, output, type ExampleOptions } from "./options.js";
