export { BullMQExecutor, type BullMQExecutorOptions } from "./executor/bullmq-executor.js";
export { startWorker, type StartWorkerOptions, type WeftWorker } from "./worker/start-worker.js";
export { DEFAULT_REDIS_URL, type QueueSettings, type RedisConnection } from "./connection.js";
export { decode, encode, type EncodeOptions, type Wire } from "./codec/codec.js";
export { runWorkerCommand, UsageError } from "./bin/worker-cli.js";
export { RedisLimitStore, type RedisLimitStoreOptions } from "./limits/redis-limit-store.js";
