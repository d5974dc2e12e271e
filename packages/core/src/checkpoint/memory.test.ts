import { MemoryCheckpointer } from "../index.js";
import { checkpointerConformance } from "../testing/checkpointer-conformance.js";

checkpointerConformance("MemoryCheckpointer", { create: () => new MemoryCheckpointer() });
