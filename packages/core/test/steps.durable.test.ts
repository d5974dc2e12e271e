import { MemoryCheckpointer } from "../src/index.js";
import { stepScenarios } from "./steps/step-scenarios.js";

stepScenarios("MemoryCheckpointer", { create: () => new MemoryCheckpointer(), reopen: (saver) => saver });
