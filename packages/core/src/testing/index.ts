export { checkpointerConformance, type ConformanceOptions } from "./checkpointer-conformance.js";
