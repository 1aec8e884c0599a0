#!/usr/bin/env node
import { down, environmentVariables, exportLine, stateDirectory, status, up } from "./index.js";

const usage = `usage: stages-testenv <up|down|env|status>

  up      start two Docker Engines, two registries, the base image, an sshd in front of engine B and
          Redis (idempotent); print the variables
  down    stop what up started
  env     start what is missing, then print \`export NAME=value\` lines for eval (and nothing else on
          stdout: progress, apt-get and every child process write to stderr)
  status  print the state directory and each component: running or not, pid, address, log`;

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case "up":
    case "env": {
      const { environment } = await up();
      for (const [name, value] of Object.entries(environmentVariables(environment))) {
        process.stdout.write(command === "env" ? `${exportLine(name, value)}\n` : `${name}=${value}\n`);
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
      const lines = (await status()).map(
        (component) =>
          `${component.name.padEnd(14)} ${(component.running ? "running" : "stopped").padEnd(8)} ` +
          `pid ${String(component.pid).padEnd(8)} ${component.address}  ${component.logFile}`,
      );
      process.stdout.write(`${stateDirectory()}\n${lines.length ? lines.join("\n") : "nothing was started"}\n`);
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
