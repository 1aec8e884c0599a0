import { requireTestEnvironment } from "@stages/testenv";
import { makeRepository } from "../helpers.js";

export const environment = requireTestEnvironment();
export const onA = { DOCKER_HOST: environment.dockerHostA };

/**
 * A project whose image has four stages with layers of a few hundred kB (so that transfers have
 * bodies to cut), content unique to the project (so that no other test shares its layers).
 */
export function makeReliabilityProject(project: string): string {
  return makeRepository({
    "stages.yaml": `project: ${project}
configVersion: 1
---
image: app
from: ${environment.baseImage}
shell:
  install: [echo ${project} > /installed, dd if=/dev/urandom of=/install.bin bs=1k count=300 2>/dev/null]
  setup: [echo set-up > /set-up, dd if=/dev/urandom of=/setup.bin bs=1k count=200 2>/dev/null]
docker:
  ENV: {PROJECT: ${project}}
  CMD: ["cat", "/set-up"]
`,
  });
}

/** `host/path` of a registry repository as `{ host, path }`. */
export function splitRepository(repository: string): { host: string; path: string } {
  const slash = repository.indexOf("/");
  return { host: repository.slice(0, slash), path: repository.slice(slash + 1) };
}
