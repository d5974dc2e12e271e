// The scenarios are shared by every checkpointer; they live beside core's memory tests.
import { busyScenarios } from "../../core/test/busy/busy-scenarios.js";
import { SqliteCheckpointer } from "../src/index.js";
import { tempDatabase } from "./temp-file.js";

// Two connections on one file: the runs meet only in the database, as two processes would.
busyScenarios("SqliteCheckpointer", {
  open: async () => {
    const file = tempDatabase();
    const first = new SqliteCheckpointer(file.path);
    const second = new SqliteCheckpointer(file.path);
    return {
      first,
      second,
      close: async () => {
        await first.close();
        await second.close();
        file.remove();
      },
    };
  },
});
