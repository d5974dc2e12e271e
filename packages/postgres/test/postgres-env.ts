import { randomBytes } from "node:crypto";
import pg from "pg";
import { DEFAULT_POSTGRES_URL } from "../src/index.js";

/** The server the tests use: `WEFT_POSTGRES_URL`, else the local default. */
export const POSTGRES_URL = process.env.WEFT_POSTGRES_URL ?? DEFAULT_POSTGRES_URL;

/**
 * Whether Postgres answers at `url`. Without it, in CI (`CI` set) this throws, so the test file
 * fails loudly; elsewhere it prints a notice and resolves false, so the tests are skipped visibly.
 */
export async function postgresAvailable(url = POSTGRES_URL, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch (error) {
    const reason = (error as Error).message || String(error);
    if (env.CI) {
      throw new Error(
        `PostgreSQL is not reachable at ${url} (${reason}), and CI is set, so the Postgres tests fail instead of ` +
          `skipping. Start PostgreSQL or point WEFT_POSTGRES_URL at one.`,
        { cause: error },
      );
    }
    console.warn(
      `\n!! Skipping the @weft/postgres tests: PostgreSQL is not reachable at ${url} (${reason}).\n` +
        `!! Start PostgreSQL or set WEFT_POSTGRES_URL to run them (in CI they fail instead).\n`,
    );
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema name no other test run uses. */
export const freshSchema = (): string => `weft_test_${process.pid}_${randomBytes(4).toString("hex")}`;

/** Drops a test schema with its tables. */
export async function dropSchema(schema: string, url = POSTGRES_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** `url` with an `application_name`, so that the server lists its connections under that name. */
export function postgresUrlNamed(applicationName: string, url = POSTGRES_URL): string {
  const named = new URL(url);
  named.searchParams.set("application_name", applicationName);
  return named.href;
}

/**
 * Waits until the server at `url` holds no connection named `applicationName` (see
 * {@link postgresUrlNamed}). A statement that a SIGKILLed process sent runs on to its end on the
 * server, which drops the connection only then: once none is left, everything the process wrote
 * has landed or never will.
 */
export async function connectionsClosed(applicationName: string, url = POSTGRES_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { rows } = await client.query<{ open: number }>(
        "SELECT count(*)::int AS open FROM pg_stat_activity WHERE application_name = $1",
        [applicationName],
      );
      if (rows[0]!.open === 0) return;
      if (Date.now() > deadline) throw new Error(`${rows[0]!.open} connections named ${applicationName} are still open after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await client.end();
  }
}
