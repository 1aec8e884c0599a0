import { down, environmentVariables, up } from "./index.js";

let started: string[] = [];

/**
 * Vitest global setup: brings the real servers up once for the run and puts their addresses in
 * `STAGES_TEST_*` (inherited by the test workers); stops only what it started.
 */
export async function setup(): Promise<void> {
  const result = await up();
  started = result.started;
  Object.assign(process.env, environmentVariables(result.environment));
}

export async function teardown(): Promise<void> {
  if (started.length > 0 && process.env.STAGES_TESTENV_KEEP !== "1") await down({ only: started });
}
