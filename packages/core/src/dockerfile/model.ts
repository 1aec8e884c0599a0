/*
 * The Dockerfile model (DESIGN §12), in three layers, all plain data:
 *
 * 1. `ParsedDockerfile`: the instructions as written (parse.ts, over the dockerfile-ast parser).
 * 2. `EvaluatedDockerfile`: the build stages the target needs, each a list of `DockerfileStep`s with
 *    variables expanded by BuildKit's rules (evaluate.ts, shell-lexer.ts).
 * 3. Stage templates and signatures (conveyor-dockerfile.ts): one stage per step.
 *
 * A step's strings are final unless `late` is true: then a variable the Dockerfile does not define
 * (one the base image's ENV may define, such as PATH) was kept, and every expandable string of the
 * step is a template in the lexer's syntax that `completeStep(step, imageEnv)` finishes against the
 * base image's environment at build time (BuildKit expands with the image's ENV too).
 */

/** Where something is in a Dockerfile (1-based line and column). */
export interface DockerfileLocation {
  file: string;
  line: number;
  column: number;
}

/** One flag of an instruction: `--from=builder` is `{name: "from", value: "builder"}`, `--link` has value null. */
export interface DockerfileFlag {
  name: string;
  value: string | null;
  location: DockerfileLocation;
}

/** A here-document of RUN, COPY or ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`). */
export interface DockerfileHeredoc {
  /** The delimiter word (`EOF`). */
  name: string;
  /** The body, lines joined with "\n", ending with "\n" when the body has a line; leading tabs removed for `<<-`. */
  content: string;
  /** False when the delimiter was quoted: the body is taken literally. */
  expand: boolean;
  /** True for `<<-` (leading tabs were stripped). */
  chomp: boolean;
}

/** One instruction as written: nothing expanded. */
export interface DockerfileInstruction {
  /** Upper case: FROM, RUN, COPY, ... */
  keyword: string;
  /** The `--name[=value]` flags before the arguments, in order. */
  flags: DockerfileFlag[];
  /** JSON (exec) form: the elements of the array; null for the shell form. */
  json: string[] | null;
  /**
   * The arguments after the flags, as one string: line continuations removed (the escape character
   * and newline dropped, as BuildKit joins them), comment lines inside the continuation dropped,
   * leading and trailing whitespace trimmed. For the JSON form, the JSON text.
   */
  text: string;
  /** Here-documents, in order; empty when there are none. */
  heredocs: DockerfileHeredoc[];
  /** For ONBUILD: the trigger instruction (its `text` is what ONBUILD records); null otherwise. */
  trigger: DockerfileInstruction | null;
  /** The instruction as written (first line, for messages). */
  original: string;
  /** Where the keyword is. */
  location: DockerfileLocation;
  /** Last line of the instruction (continuations included). */
  endLine: number;
}

/** A Dockerfile as written. */
export interface ParsedDockerfile {
  /** The path shown in messages (relative to the project directory). */
  file: string;
  /** The escape character (the `# escape=` directive), `\` by default. */
  escape: "\\" | "`";
  /** The `# syntax=` directive, or null. */
  syntax: string | null;
  /** The text of the file as read (a `staged: false` image's signature is over it). */
  text: string;
  instructions: DockerfileInstruction[];
}

/** Where a build stage (or a `COPY --from`) gets its files. */
export type DockerfileSource =
  /** An image from a registry, as expanded (not yet normalized). */
  | { type: "image"; reference: string }
  /** `FROM scratch`: nothing. */
  | { type: "scratch" }
  /** Another build stage of the same Dockerfile, by its index in the file (`DockerfileBuildStage.index`, as `--from=N`). */
  | { type: "stage"; index: number }
  /** An image (or artifact) of stages.yaml, named in FROM or `COPY --from` (config images win over registry names). */
  | { type: "configImage"; name: string };

/** Docker's healthcheck config (durations in nanoseconds, as the Engine API wants them; 0 = inherit). */
export interface DockerfileHealthcheck {
  /** `["NONE"]`, `["CMD", ...]` or `["CMD-SHELL", command]`. */
  test: string[];
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

/** A change to the image config made by a metadata instruction. */
export type DockerfileConfigChange =
  | { keyword: "ENV"; env: [string, string][] }
  | { keyword: "LABEL"; labels: [string, string][] }
  /** The path as written (expanded); a relative one is relative to the image's WorkingDir (the builder resolves it). */
  | { keyword: "WORKDIR"; path: string }
  | { keyword: "USER"; user: string }
  /** `80/tcp` form (a bare port gets `/tcp`), ranges expanded. */
  | { keyword: "EXPOSE"; ports: string[] }
  | { keyword: "VOLUME"; paths: string[] }
  /** Shell form: `command` is `[commandLine]` and `shell` the SHELL in effect (null: the image's Shell, else `/bin/sh -c`). */
  | {
      keyword: "CMD" | "ENTRYPOINT";
      command: string[];
      shellForm: boolean;
      shell: string[] | null;
      /**
       * ENTRYPOINT only: true when a CMD came earlier in the same build stage. BuildKit keeps that CMD and
       * otherwise clears the one inherited (from the base image or the stage named in FROM). Absent: false.
       */
      keepCmd?: boolean;
    }
  | { keyword: "HEALTHCHECK"; healthcheck: DockerfileHealthcheck }
  | { keyword: "STOPSIGNAL"; signal: string }
  /** The trigger as written (`RUN make`), recorded in the image's OnBuild. */
  | { keyword: "ONBUILD"; trigger: string }
  | { keyword: "SHELL"; shell: string[] }
  /** MAINTAINER sets the image's Author. */
  | { keyword: "MAINTAINER"; author: string };

/**
 * `RUN --mount=type=secret,...` (BuildKit's options): the build secret `id` (a `secrets:` id of the
 * image) as a file at `target` and/or in the variable `env` while the command runs, never in the image.
 */
export interface DockerfileSecretMount {
  type: "secret";
  id: string;
  /** Where the file is (relative: to the WORKDIR); null when only `env` is given. */
  target: string | null;
  /** The environment variable that gets the value, or null. */
  env: string | null;
  /** BuildKit's `required`: a secret the build does not have is an error (else the mount is left out). */
  required: boolean;
  /** File mode (BuildKit's default 0400), owner and group (default 0). */
  mode: number;
  uid: number;
  gid: number;
}

/**
 * `RUN --mount=type=cache,...`: a directory kept between builds on the engine (one per project and
 * `id`, the target by default), as BuildKit's cache mounts are; never in the image.
 */
export interface DockerfileCacheMount {
  type: "cache";
  id: string;
  target: string;
  readOnly: boolean;
  /** BuildKit's `sharing` (shared, private, locked) as written; stages shares it in every case. */
  sharing: "shared" | "private" | "locked";
}

/** `RUN --mount=type=tmpfs,...`: an empty tmpfs while the command runs. */
export interface DockerfileTmpfsMount {
  type: "tmpfs";
  target: string;
  /** Bytes; 0: the engine's default. */
  size: number;
}

/** A `RUN --mount` stages supports. */
export type DockerfileMount = DockerfileSecretMount | DockerfileCacheMount | DockerfileTmpfsMount;

/** One step of a build stage after FROM: what one stage of the conveyor does. */
export type DockerfileStep =
  | {
      op: "run";
      location: DockerfileLocation;
      /** Exec form: the argv. Shell form: `[commandLine]`, run with `shell`. */
      command: string[];
      shellForm: boolean;
      /** The SHELL in effect for the shell form (null: the image's Shell, else `/bin/sh -c`). */
      shell: string[] | null;
      /** Here-documents of the command (BuildKit's `RUN <<EOF`): the first one is the script when the command is only `<<EOF`. */
      heredocs: DockerfileHeredoc[];
      /** The ARGs this build stage declared before the step, with their values: in the command's environment, never in the image. */
      args: [string, string][];
      /** `--network` of the step, else the image's `network:`, else the CLI's. */
      network: string | null;
      /** `--mount` options (secret, cache, tmpfs), in order (a secret's value never): absent when there are none. */
      mounts?: DockerfileMount[];
      late: boolean;
    }
  | {
      op: "copy";
      location: DockerfileLocation;
      /** ADD (local tar archives are extracted) or COPY. */
      add: boolean;
      /** The sources as expanded (paths and globs relative to the context or the source's root). */
      sources: string[];
      /** Here-documents used as sources (`COPY <<EOF /file`): each is a file named by its delimiter. */
      heredocs: DockerfileHeredoc[];
      destination: string;
      /** `--from`: the context when absent. */
      from: { type: "context" } | DockerfileSource;
      /** `--chown=user:group` as written (names are looked up in the image), or null. */
      chown: string | null;
      /** `--chmod=0755` as an octal number, or null. */
      chmod: number | null;
      /** `--link` (accepted; the result is the same files). */
      link: boolean;
      late: boolean;
    }
  | { op: "config"; location: DockerfileLocation; change: DockerfileConfigChange; late: boolean };

/** One build stage (`FROM ... AS name`) the target needs. */
export interface DockerfileBuildStage {
  /** Index among every build stage of the file (numeric `--from=N` refers to it). */
  index: number;
  /** The `AS` name, lower case, or null. */
  name: string | null;
  base: DockerfileSource;
  /** `FROM --platform`: refused unless it names the engine's platform; kept for messages. */
  location: DockerfileLocation;
  steps: DockerfileStep[];
}

/** A Dockerfile evaluated for one target and set of build args: the build stages needed, dependencies first. */
export interface EvaluatedDockerfile {
  file: string;
  escape: "\\" | "`";
  /** The needed build stages in dependency order; the target (or the last stage) is last. */
  stages: DockerfileBuildStage[];
  /** Build args given (`args:`) that no ARG of the needed stages declares (docker warns about them). */
  unusedArgs: string[];
}
