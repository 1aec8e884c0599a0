import type { Node } from "yaml";
import type { DockerInstructions } from "./model.js";
import { readSection, type SectionSpec, sectionValue } from "./read-section.js";
import { isNullNode, type YamlContext } from "./yaml-context.js";
import { readBoolean, readStringOrList, readText, readTextList, readTextMap } from "./yaml-values.js";

const dockerSpec: SectionSpec = {
  where: "under docker",
  word: "directive",
  known: ["ENV", "LABEL", "EXPOSE", "VOLUME", "WORKDIR", "USER", "CMD", "ENTRYPOINT", "HEALTHCHECK", "exactValues"],
  unsupported: {
    STOPSIGNAL: {
      reason: "setting the stop signal is not supported",
      hint: "remove it; the base image's stop signal applies",
    },
    ONBUILD: { reason: "triggers for images built FROM this one are not supported", hint: "remove it" },
    SHELL: { reason: "the shell of CMD and ENTRYPOINT is always /bin/sh -c", hint: "write CMD as a list (exec form)" },
    ARG: { reason: "build arguments are not supported", hint: "write the value out, or use ENV" },
  },
};

// A port, a range of ports, optionally with a protocol: 80, 8080/tcp, 53/udp, 7000-7010.
const exposePattern = /^\d{1,5}(?:-\d{1,5})?(?:\/(?:tcp|udp|sctp))?$/i;

/** Docker instructions of an image that sets none. */
export function emptyDockerInstructions(): DockerInstructions {
  return {
    ENV: {},
    LABEL: {},
    EXPOSE: [],
    VOLUME: [],
    WORKDIR: null,
    USER: null,
    CMD: null,
    ENTRYPOINT: null,
    HEALTHCHECK: null,
  };
}

/** Reads `docker:`, the instructions that set the image config of the last stage. */
export function parseDocker(context: YamlContext, node: Node | null): DockerInstructions {
  const docker = emptyDockerInstructions();
  if (isNullNode(node)) return docker;
  const section = readSection(context, node as Node, "docker", dockerSpec);
  if (section === null) return docker;

  docker.ENV = readTextMap(context, sectionValue(section, "ENV"), "docker.ENV");
  docker.LABEL = readTextMap(context, sectionValue(section, "LABEL"), "docker.LABEL");
  docker.EXPOSE = readTextList(context, sectionValue(section, "EXPOSE"), "docker.EXPOSE");
  for (const port of docker.EXPOSE) {
    if (!exposePattern.test(port)) {
      context.error(
        sectionValue(section, "EXPOSE") as Node,
        `docker.EXPOSE "${port}" is not a port`,
        'write a port with an optional protocol, e.g. "8080" or "53/udp"',
      );
    }
  }
  docker.VOLUME = readTextList(context, sectionValue(section, "VOLUME"), "docker.VOLUME");
  docker.WORKDIR = readText(context, sectionValue(section, "WORKDIR"), "docker.WORKDIR", "write WORKDIR: /path");
  docker.USER = readText(context, sectionValue(section, "USER"), "docker.USER", "write USER: <user>[:<group>]");
  docker.CMD = readCommand(context, sectionValue(section, "CMD"), "docker.CMD");
  docker.ENTRYPOINT = readCommand(context, sectionValue(section, "ENTRYPOINT"), "docker.ENTRYPOINT");
  if (docker.ENTRYPOINT !== null && docker.CMD === null && !section.has("CMD")) {
    // Docker resets an inherited CMD when ENTRYPOINT is set; werf does the same.
    docker.CMD = [];
  }
  if (readBoolean(context, sectionValue(section, "exactValues"), "docker.exactValues") === true) {
    docker.exactValues = true;
  }
  docker.HEALTHCHECK = readText(
    context,
    sectionValue(section, "HEALTHCHECK"),
    "docker.HEALTHCHECK",
    'write it as in a Dockerfile: HEALTHCHECK: "--interval=5s CMD curl -f http://localhost/"',
  );
  return docker;
}

/** A string is Docker's shell form, run by `/bin/sh -c`; a list is the exec form (werf's `prepareCommand`). */
function readCommand(context: YamlContext, node: Node | null, label: string): string[] | null {
  const read = readStringOrList(context, node, label);
  if (read === null) return null;
  return read.kind === "string" ? ["/bin/sh", "-c", read.value] : read.value;
}
