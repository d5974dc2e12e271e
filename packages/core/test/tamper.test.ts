import { memoryBackend, tamperScenarios } from "./tamper/tamper-scenarios.js";

tamperScenarios("MemoryCheckpointer", memoryBackend);
