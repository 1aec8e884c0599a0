#!/usr/bin/env node
import { down, environmentVariables, stateDirectory, up } from "./index.js";

const usage = `usage: stages-testenv <up|down|env|status>

  up      start two Docker Engines, two registries and the base image (idempotent); print the variables
  down    stop what up started
  env     start what is missing, then print \`export NAME=value\` lines for eval
  status  print the state directory and what runs`;

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case "up":
    case "env": {
      const { environment } = await up();
      for (const [name, value] of Object.entries(environmentVariables(environment))) {
        process.stdout.write(command === "env" ? `export ${name}=${value}\n` : `${name}=${value}\n`);
      }
      return 0;
    }
    case "down": {
      const stopped = await down();
      process.stderr.write(
        stopped.length ? `[testenv] stopped ${stopped.join(", ")}\n` : "[testenv] nothing was running\n",
      );
      return 0;
    }
    case "status": {
      const { readState } = await import("./state.js");
      const directory = stateDirectory();
      process.stdout.write(`${directory}\n${JSON.stringify(readState(directory), null, 2)}\n`);
      return 0;
    }
    default:
      process.stderr.write(`${usage}\n`);
      return command === undefined || command === "--help" || command === "-h" ? 0 : 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[testenv] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
