/*
 * Evaluation of a parsed Dockerfile for one target and set of build args, by BuildKit's rules
 * (dockerfile2llb): which build stages the target needs, in what order, and each instruction after
 * FROM as a DockerfileStep with its variables expanded.
 *
 * Scoping, as BuildKit does it:
 * - ARGs before the first FROM are the meta args: visible in FROM lines only, and inside a stage
 *   through `ARG NAME` without a value. The platform args (TARGETPLATFORM, BUILDARCH, ..., TARGETSTAGE)
 *   are meta args too. A meta arg's default is expanded with the meta args before it; undefined ones
 *   are empty. `COPY --from` takes no variables (BuildKit refuses them).
 * - Inside a stage, ARG (with a value) and ENV both set the one environment later instructions expand
 *   with, in the order written: the later one wins. A build arg overrides an ARG's default. ARG values
 *   stay out of the image's config (RUN gets them in `args`); both pass to the stages that `FROM` this
 *   one (BuildKit's stage state carries them).
 * - A variable the Dockerfile does not define may come from the base image's ENV (PATH, HOME): it is
 *   kept, the step is `late`, and every expandable string of the step is a template that
 *   `completeStep` finishes at build time against the environment of the image the step runs on
 *   (which then holds this Dockerfile's earlier ENVs too). For the same reason an ENV whose value is a
 *   template is itself kept when used. An ARG whose value is a template cannot be (ARGs are not in the
 *   image): using one outside RUN is refused. RUN gets it as a template finished against the image it
 *   runs on, which agrees with BuildKit (it expands the ARG at its line) until an ENV sets a variable
 *   the template kept: a RUN after that is refused.
 *
 * Every problem is reported at once, in file order (as stages.yaml's): a problem abandons the
 * instruction it is in and evaluation goes on with the next one. Only a problem that leaves nothing
 * to evaluate stops it (no FROM, a foreign `# syntax=`, an unknown target).
 */
import type { ConfigProblem } from "../config/model.js";
import { createProblem, sortProblems } from "../config/problems.js";
import { ConfigError } from "../errors.js";
import {
  nonEnvArgs,
  normalizePorts,
  parseGoDuration,
  platformArgs,
  proxyArgNames,
  proxyArgs,
} from "./instruction-values.js";
import type {
  DockerfileBuildStage,
  DockerfileCacheMount,
  DockerfileConfigChange,
  DockerfileFlag,
  DockerfileHealthcheck,
  DockerfileHeredoc,
  DockerfileInstruction,
  DockerfileLocation,
  DockerfileMount,
  DockerfileSecretMount,
  DockerfileSource,
  DockerfileStep,
  DockerfileTmpfsMount,
  EvaluatedDockerfile,
  ParsedDockerfile,
} from "./model.js";
import { readDockerfile, splitDockerfileWords, splitNameValues } from "./parse.js";
import { type Expansion, escapeTemplate, expandWord, expandWords, ShellLexError } from "./shell-lexer.js";

/** What a Dockerfile is evaluated for. */
export interface EvaluateOptions {
  /** Build args: they override ARG defaults. */
  args: Readonly<Record<string, string>>;
  /** The `AS` name of the target build stage (case-insensitive); null for the last stage. */
  target: string | null;
  /** Names of stages.yaml images: FROM or `COPY --from` naming one uses that image (a build stage of the same name wins). */
  configImages: ReadonlySet<string>;
  /**
   * Image references that stand for an image of the config (werf v2 `dependencies`: the ImageName a
   * build arg holds): FROM naming one uses that image's stage, as FROM naming the image does.
   */
  imageAliases?: ReadonlyMap<string, string>;
  /** The engine's platform (`linux/amd64` by default): the value of TARGETPLATFORM, BUILDPLATFORM, ... */
  platform?: string;
  /**
   * False for an image built whole by the engine's builder (`staged: false`): what only a staged build
   * cannot do (ADD <url>, a foreign `# syntax=`, ONBUILD of a build stage) is then accepted. Default true.
   */
  staged?: boolean;
}

const defaultPlatform = "linux/amd64";
const stageNamePattern = /^[a-z][a-z0-9-_.]*$/;
const whitespace = /[\t\v\f\r ]+/;

const stagedFalseHint = 'set "staged: false" for this image to build it with the engine\'s builder';
const unsupportedHint = "remove it: neither staged builds nor the engine's classic builder (staged: false) support it";

/** The flags each instruction accepts; a flag named in `unsupported` is refused with a reason. */
const flagRules: Record<string, { accepted: Record<string, "string" | "boolean">; unsupported: string[] }> = {
  FROM: { accepted: { platform: "string" }, unsupported: [] },
  RUN: { accepted: { network: "string", mount: "string" }, unsupported: ["security", "device"] },
  COPY: {
    accepted: { from: "string", chown: "string", chmod: "string", link: "boolean" },
    unsupported: ["parents", "exclude"],
  },
  ADD: {
    accepted: { chown: "string", chmod: "string", link: "boolean" },
    unsupported: ["keep-git-dir", "checksum", "exclude", "unpack"],
  },
  HEALTHCHECK: {
    accepted: {
      interval: "string",
      timeout: "string",
      "start-period": "string",
      "start-interval": "string",
      retries: "string",
    },
    unsupported: [],
  },
};

/** A here-document body as a template of completeStep (quotes off, escape `\\`): only `\\` and `$` are special. */
function bodyTemplate(value: string): string {
  return value.replace(/[\\$]/g, "\\$&");
}

/** A variable of a stage: its value is final, or a template (it depends on the base image's ENV). */
interface Variable {
  value: string;
  template: boolean;
  /** Set by ARG (it reaches RUN, not the image's config), else by ENV. */
  fromArg: boolean;
  /**
   * An ARG whose value is a template: BuildKit expands it at the ARG line, completeStep at each RUN,
   * against the image the RUN runs on. The two agree until an ENV sets a variable the template kept;
   * `changedBy` is the first such ENV (a RUN given the ARG after it is refused).
   */
  templateArg?: {
    declared: DockerfileLocation;
    kept: readonly string[];
    changedBy: { name: string; location: DockerfileLocation } | null;
  };
}

/** What a stage leaves to the stages that `FROM` it. */
interface StageState {
  /** The environment instructions expand with (ENV and ARG, in the order written; not the base image's). */
  env: Map<string, Variable>;
  /** The ENVs of this stage and the stages it FROMs: the image config's Env. */
  configEnv: Map<string, Variable>;
  shell: string[] | null;
  onbuild: boolean;
  /** A CMD came in this build stage (not inherited: BuildKit tracks it per stage). */
  cmd: boolean;
}

interface StageHeader {
  index: number;
  name: string | null;
  from: DockerfileInstruction;
  instructions: DockerfileInstruction[];
}

/**
 * Evaluates a parsed Dockerfile: the build stages the target needs, dependencies first, each with its
 * steps. Throws ConfigError with every problem found, in file order.
 */
export function evaluateDockerfile(parsed: ParsedDockerfile, options: EvaluateOptions): EvaluatedDockerfile {
  return new Evaluation(parsed, options, new Set(), []).run();
}

/**
 * Parses and evaluates a Dockerfile, reporting the problems of both at once: the instructions the
 * parser found a problem in are left out of the evaluation (it would report the same cause again).
 */
export function parseAndEvaluateDockerfile(
  text: string,
  file: string,
  options: EvaluateOptions,
): { parsed: ParsedDockerfile; evaluated: EvaluatedDockerfile } {
  const reading = readDockerfile(text, file);
  if (reading.parsed === null) throw new ConfigError(reading.problems);
  const evaluated = new Evaluation(reading.parsed, options, reading.flawed, reading.problems).run();
  return { parsed: reading.parsed, evaluated };
}

/** Thrown by `fail`, after it recorded the problem: the instruction being evaluated is abandoned. */
class Abandoned extends Error {}

class Evaluation {
  private readonly escape: "\\" | "`";
  private readonly problems: ConfigProblem[];
  /** The instructions evaluated: the parser's without those it found a problem in. */
  private readonly instructions: DockerfileInstruction[];
  /** Flags checkFlags reported: the steps read as if they were not written (so they report nothing more). */
  private readonly badFlags = new Set<DockerfileFlag>();
  private readonly platform: string;
  private readonly meta = new Map<string, string>();
  private readonly declared = new Set<string>();
  private readonly headers: StageHeader[] = [];
  private readonly byName = new Map<string, number>();
  private readonly states = new Map<number, StageState>();
  private readonly evaluated = new Map<number, DockerfileBuildStage>();
  private readonly visiting: number[] = [];
  private readonly order: number[] = [];
  /** The ARG templates whose changed variables a RUN was refused for (each is told once). */
  private readonly changedArgsReported = new Set<Variable>();

  constructor(
    private readonly parsed: ParsedDockerfile,
    private readonly options: EvaluateOptions,
    flawed: ReadonlySet<DockerfileInstruction>,
    earlier: readonly ConfigProblem[],
  ) {
    this.escape = parsed.escape;
    this.platform = options.platform ?? defaultPlatform;
    this.problems = [...earlier];
    this.instructions = parsed.instructions.filter((instruction) => !flawed.has(instruction));
  }

  run(): EvaluatedDockerfile {
    this.checkSyntaxDirective();
    const first = this.instructions.findIndex((instruction) => instruction.keyword === "FROM");
    this.splitStages(first);
    for (const instruction of this.instructions) this.checkFlags(instruction);
    const target = this.targetIndex();
    const targetName = this.options.target ?? this.headers.at(-1)!.name ?? "default";
    for (const [name, value] of [...platformArgs(this.platform), ["TARGETSTAGE", targetName] as const]) {
      this.meta.set(name, this.options.args[name] ?? value);
    }
    for (const instruction of this.instructions.slice(0, first)) this.attempt(() => this.readMetaArg(instruction));

    this.visit(target, null);
    if (this.problems.length > 0) throw this.error();
    const stages = this.order.map((index) => this.evaluated.get(index)!);
    const unusedArgs = Object.keys(this.options.args).filter(
      (name) => !this.declared.has(name) && !proxyArgNames.has(name),
    );
    return { file: this.parsed.file, escape: this.escape, stages, unusedArgs };
  }

  // --- problems ---

  /** Records a problem; evaluation goes on. */
  private report(location: DockerfileLocation, message: string, hint: string | null = null): void {
    const problem = createProblem("error", location, message, hint);
    // The same problem is told once, however many ways evaluation comes to it.
    if (!this.problems.some((known) => known.formatted === problem.formatted)) this.problems.push(problem);
  }

  /** Records a problem and abandons the instruction being evaluated (`attempt` goes on after it). */
  private fail(location: DockerfileLocation, message: string, hint: string | null = null): never {
    this.report(location, message, hint);
    throw new Abandoned(message);
  }

  /** Records a problem after which there is nothing to evaluate: throws every problem found so far. */
  private stop(location: DockerfileLocation, message: string, hint: string | null = null): never {
    this.report(location, message, hint);
    throw this.error();
  }

  private error(): ConfigError {
    return new ConfigError(sortProblems(this.problems));
  }

  /** Runs one instruction's evaluation; undefined when it was abandoned (its problem is recorded). */
  private attempt<T>(evaluate: () => T): T | undefined {
    try {
      return evaluate();
    } catch (error) {
      if (error instanceof Abandoned) return undefined;
      throw error;
    }
  }

  private at(line: number, column = 1): DockerfileLocation {
    return { file: this.parsed.file, line, column };
  }

  /** `# syntax=` naming another frontend than docker/dockerfile:1 changes the language: refused. */
  private checkSyntaxDirective(): void {
    const syntax = this.parsed.syntax;
    // The engine's classic builder ignores the directive.
    if (syntax === null || this.options.staged === false) return;
    const image = syntax.replace(/^docker\.io\//, "").replace(/@sha256:[0-9a-f]+$/, "");
    if (/^docker\/dockerfile(:1([.-][\w.-]*)?|:latest|:labs)?$/.test(image)) return;
    const line = this.parsed.text.split("\n").findIndex((text) => /^\s*#\s*syntax\s*=/i.test(text));
    // Another frontend reads another language: nothing after this can be judged by Dockerfile rules.
    this.stop(
      this.at(line + 1),
      `the syntax directive names the frontend ${syntax}: stages reads Dockerfiles by the rules of docker/dockerfile:1`,
      `remove the directive (or write # syntax=docker/dockerfile:1), or ${stagedFalseHint}`,
    );
  }

  // --- the outline: meta args, build stages, target ---

  private readMetaArg(instruction: DockerfileInstruction): void {
    for (const [name, written] of this.argDeclarations(instruction)) {
      this.declared.add(name);
      const given = this.options.args[name];
      if (given !== undefined) this.meta.set(name, given);
      else if (written !== null) {
        this.meta.set(name, this.expand(instruction, written, (key) => this.meta.get(key), "empty").value);
      }
    }
  }

  private splitStages(first: number): void {
    if (first < 0) {
      // Unless the parser already said why: every instruction but ARG is before the first FROM (or is FORM).
      if (this.parsed.instructions.some((instruction) => instruction.keyword !== "ARG")) throw this.error();
      this.stop(this.at(1), "the Dockerfile has no FROM", "start the build stage with FROM <image>");
    }
    for (const instruction of this.instructions.slice(first)) {
      if (instruction.keyword !== "FROM") {
        this.headers.at(-1)!.instructions.push(instruction);
        continue;
      }
      const words = instruction.text === "" ? [] : instruction.text.split(whitespace);
      // A stage with a problem still takes its place: later stages and --from=<index> count it.
      if (words.length !== 1 && !(words.length === 3 && words[1]!.toLowerCase() === "as")) {
        this.report(
          instruction.location,
          "FROM needs an image and optionally AS <name>",
          "write FROM <image> [AS <name>]",
        );
      }
      const name = words.length === 3 ? words[2]!.toLowerCase() : null;
      const index = this.headers.length;
      if (name !== null) {
        if (!stageNamePattern.test(name)) {
          this.report(
            instruction.location,
            `invalid build stage name "${words[2]}"`,
            "a stage name starts with a letter and has only letters, digits, '-', '_' and '.'",
          );
        } else if (this.byName.has(name)) {
          this.report(instruction.location, `duplicate build stage name "${name}"`, "give every stage its own AS name");
        }
        // The first stage of a name keeps it (an invalid one too: references to it are no images).
        if (!this.byName.has(name)) this.byName.set(name, index);
      }
      this.headers.push({ index, name, from: instruction, instructions: [] });
    }
  }

  private targetIndex(): number {
    const target = this.options.target;
    if (target === null) return this.headers.length - 1;
    const index = this.byName.get(target.toLowerCase());
    if (index === undefined) {
      const names = [...this.byName.keys()];
      this.stop(
        this.at(1),
        `target build stage "${target}" is not in the Dockerfile`,
        names.length === 0 ? "name a stage with FROM <image> AS <name>" : `its stages are ${names.join(", ")}`,
      );
    }
    return index;
  }

  /** Evaluates a stage after the stages it needs; `via` is where it is needed from (for a cycle's message). */
  private visit(index: number, via: DockerfileLocation | null): void {
    if (this.evaluated.has(index)) return;
    const header = this.headers[index]!;
    if (this.visiting.includes(index)) {
      const cycle = [...this.visiting.slice(this.visiting.indexOf(index)), index].map((at) =>
        stageLabel(this.headers[at]!),
      );
      this.fail(
        via ?? header.from.location,
        `circular dependency between build stages: ${cycle.join(" → ")}`,
        "a stage cannot use itself, directly or through other stages",
      );
    }
    this.visiting.push(index);
    const needs: { index: number; location: DockerfileLocation }[] = [];
    const stage = this.evaluateStage(header, needs);
    // A cycle abandons only the need that closes it.
    for (const need of needs) this.attempt(() => this.visit(need.index, need.location));
    this.visiting.pop();
    this.evaluated.set(index, stage);
    this.order.push(index);
  }

  // --- one build stage ---

  private evaluateStage(
    header: StageHeader,
    needs: { index: number; location: DockerfileLocation }[],
  ): DockerfileBuildStage {
    const from = header.from;
    const metaLookup = (name: string) => this.meta.get(name);
    // A FROM with a problem still evaluates its stage's instructions (from an image named "" if need be).
    const named = this.attempt(() => this.expand(from, from.text.split(whitespace)[0]!, metaLookup, "empty").value);
    const baseName = named ?? "";
    const platform = this.flag(from, "platform");
    if (platform) {
      this.attempt(() => {
        const value = this.expand(from, platform.value ?? "", metaLookup, "empty").value;
        if (value.toLowerCase() !== this.platform.toLowerCase()) {
          this.report(
            platform.location,
            `FROM --platform=${platform.value ?? ""} asks for ${value || "no platform"}, but stages builds for the engine's platform (${this.platform})`,
            "remove --platform, or write --platform=$BUILDPLATFORM",
          );
        }
      });
    }
    // A FROM without an image was reported by splitStages.
    if (named === "" && from.text !== "") {
      this.report(
        from.location,
        `the base image of FROM ${from.text} is empty`,
        "give the variable a value (ARG before the first FROM)",
      );
    }

    // FROM names an earlier stage by its name exactly as lower-cased (BuildKit's lookup); anything else is an image.
    const earlier = this.byName.get(baseName);
    const base: DockerfileSource =
      earlier !== undefined && earlier < header.index ? { type: "stage", index: earlier } : this.image(baseName);
    let state: StageState = { env: new Map(), configEnv: new Map(), shell: null, onbuild: false, cmd: false };
    if (base.type === "stage") {
      this.visit(base.index, from.location);
      const inherited = this.states.get(base.index)!;
      if (inherited.onbuild && this.options.staged !== false) {
        this.report(
          from.location,
          `build stage ${stageLabel(this.headers[base.index]!)} has ONBUILD triggers, which stages does not run for a stage of the same Dockerfile`,
          `move the triggered instructions into this stage, or ${stagedFalseHint}`,
        );
      }
      // BuildKit starts from the base stage's environment, then applies its image's Env over it:
      // an ARG that an ENV of the same name preceded gives way to the ENV again.
      const env = new Map(inherited.env);
      for (const [name, variable] of inherited.configEnv) env.set(name, variable);
      state = { env, configEnv: new Map(inherited.configEnv), shell: inherited.shell, onbuild: false, cmd: false };
      needs.push({ index: base.index, location: from.location });
    }
    return this.evaluateSteps(header, base, state, needs);
  }

  /** An image named in FROM or `COPY --from` that is no build stage: a config image, scratch or a registry image. */
  private image(name: string): DockerfileSource {
    if (this.options.configImages.has(name)) return { type: "configImage", name };
    const alias = this.options.imageAliases?.get(name);
    if (alias !== undefined) return { type: "configImage", name: alias };
    if (name === "scratch") return { type: "scratch" };
    return { type: "image", reference: name };
  }

  private evaluateSteps(
    header: StageHeader,
    base: DockerfileSource,
    state: StageState,
    needs: { index: number; location: DockerfileLocation }[],
  ): DockerfileBuildStage {
    const env = state.env;
    const steps: DockerfileStep[] = [];
    const templateArgs = new Set<string>();
    // A variable holding a template is left for build time: the image then has an ENV's value, not an ARG's.
    const lookup = (name: string): string | undefined => {
      const variable = env.get(name);
      if (!variable) return undefined;
      if (variable.template && variable.fromArg) templateArgs.add(name);
      return variable.template ? undefined : variable.value;
    };
    for (const instruction of header.instructions) {
      templateArgs.clear();
      const step = this.attempt(() => this.step(instruction, { env, state, lookup, needs }));
      if (step === undefined) continue;
      if (templateArgs.size > 0) {
        const name = [...templateArgs][0]!;
        this.report(
          instruction.location,
          `${instruction.keyword} uses ARG ${name}, whose value depends on the base image's environment`,
          `give ${name} a value that does not use the base image's variables, or use them directly`,
        );
      }
      if (step) steps.push(step);
    }
    this.states.set(header.index, state);
    return { index: header.index, name: header.name, base, location: header.from.location, steps };
  }

  private step(instruction: DockerfileInstruction, scope: StepScope): DockerfileStep | null {
    const location = instruction.location;
    const late = new LateStrings(this.escape);
    const word = (text: string) => late.add(this.expand(instruction, text, scope.lookup, "keep"));
    switch (instruction.keyword) {
      case "ARG":
        for (const [name, written] of this.argDeclarations(instruction)) {
          this.declared.add(name);
          const given = this.options.args[name];
          let variable: Variable | null = null;
          if (given !== undefined) variable = { value: given, template: false, fromArg: true };
          else if (written !== null) {
            const expanded = this.expand(instruction, written, scope.lookup, "keep");
            variable = { value: expanded.value, template: expanded.kept.length > 0, fromArg: true };
            if (variable.template) variable.templateArg = { declared: location, kept: expanded.kept, changedBy: null };
          } else if (this.meta.has(name)) variable = { value: this.meta.get(name)!, template: false, fromArg: true };
          // Without a value the ARG changes nothing (an earlier value of the name stays).
          if (variable && !nonEnvArgs.has(name)) scope.env.set(name, variable);
        }
        return null;
      case "RUN":
        return this.runStep(instruction, scope);
      case "COPY":
      case "ADD":
        return this.copyStep(instruction, scope, late, word);
      case "ENV":
      case "LABEL": {
        const form = splitNameValues(instruction.text, this.escape, instruction.keyword);
        if (typeof form === "string")
          this.fail(location, `${instruction.keyword}: ${form}`, `write ${instruction.keyword} <name>=<value> ...`);
        // Every pair is expanded with the variables as they were before the instruction.
        const pairs = form.pairs.map(([name, value]) => {
          if (name === "") {
            this.fail(
              location,
              `${instruction.keyword} =${value} has no name`,
              `write ${instruction.keyword} <name>=<value>`,
            );
          }
          const key = this.expand(instruction, name, scope.lookup, "keep");
          if (key.kept.length > 0) {
            this.fail(
              location,
              `${instruction.keyword} name ${name} uses a variable the Dockerfile does not define`,
              "write the name without variables from the base image",
            );
          }
          return [key, this.expand(instruction, value, scope.lookup, "keep")] as const;
        });
        if (instruction.keyword === "ENV") {
          for (const [key, value] of pairs) {
            const variable = { value: value.value, template: value.kept.length > 0, fromArg: false };
            scope.env.set(key.value, variable);
            scope.state.configEnv.set(key.value, variable);
          }
          for (const [key] of pairs) this.markChangedArgs(scope.env, key.value, location);
        }
        const strings = pairs.map(([key, value]) => [late.add(key), late.add(value)] as [() => string, () => string]);
        const resolved = () => strings.map(([key, value]) => [key(), value()] as [string, string]);
        return late.config(location, () =>
          instruction.keyword === "ENV"
            ? { keyword: "ENV", env: resolved() }
            : { keyword: "LABEL", labels: resolved() },
        );
      }
      case "WORKDIR":
      case "USER":
      case "STOPSIGNAL": {
        if (instruction.text === "") {
          const what = { WORKDIR: "<path>", USER: "<user>[:<group>]", STOPSIGNAL: "<signal>" }[instruction.keyword];
          this.fail(location, `${instruction.keyword} needs an argument`, `write ${instruction.keyword} ${what}`);
        }
        const value = word(instruction.text);
        return late.config(location, (): DockerfileConfigChange => {
          if (instruction.keyword === "WORKDIR") return { keyword: "WORKDIR", path: value() };
          if (instruction.keyword === "USER") return { keyword: "USER", user: value() };
          return { keyword: "STOPSIGNAL", signal: value() };
        });
      }
      case "EXPOSE": {
        if (instruction.text === "")
          this.fail(location, "EXPOSE needs at least one port", "write EXPOSE <port>[/<protocol>] ...");
        const ports: (() => string)[] = [];
        // BuildKit sorts the words as written, then expands each into words.
        for (const written of instruction.text.split(whitespace).sort()) {
          const expanded = this.expandList(instruction, written, scope.lookup);
          if (expanded.kept.length > 0) {
            // Normalized when completed (normalizePorts); the lexer keeps it one template per word.
            for (const port of expanded.words) ports.push(late.add({ value: port, kept: expanded.kept }));
            continue;
          }
          const normalized = normalizePorts(expanded.words);
          if (typeof normalized === "string") {
            this.fail(location, normalized, "write EXPOSE 80, 80/udp or 8000-8010/tcp");
          }
          for (const one of normalized) ports.push(late.add({ value: one, kept: [] }));
        }
        return late.config(location, () => ({ keyword: "EXPOSE", ports: ports.map((port) => port()) }));
      }
      case "VOLUME": {
        const written = instruction.json ?? (instruction.text === "" ? [] : instruction.text.split(whitespace));
        if (written.length === 0) this.fail(location, "VOLUME needs at least one path", "write VOLUME <path> ...");
        const paths = written.map((path) => word(path));
        return late.config(location, () => {
          const values = paths.map((path) => path());
          if (values.some((path) => path.trim() === "")) this.fail(location, "VOLUME names an empty path", null);
          return { keyword: "VOLUME", paths: values };
        });
      }
      case "CMD":
      case "ENTRYPOINT": {
        const shellForm = instruction.json === null;
        const change: DockerfileConfigChange = {
          keyword: instruction.keyword,
          command: instruction.json ?? [instruction.text],
          shellForm,
          shell: shellForm ? scope.state.shell : null,
        };
        // ENTRYPOINT clears the CMD unless one came earlier in this build stage.
        if (instruction.keyword === "ENTRYPOINT") change.keepCmd = scope.state.cmd;
        else scope.state.cmd = true;
        return { op: "config", location, change, late: false };
      }
      case "SHELL": {
        if (instruction.json === null || instruction.json.length === 0) {
          this.fail(location, "SHELL needs its arguments in JSON form", 'write SHELL ["executable", "parameters"]');
        }
        scope.state.shell = instruction.json;
        return { op: "config", location, change: { keyword: "SHELL", shell: instruction.json }, late: false };
      }
      case "HEALTHCHECK":
        return {
          op: "config",
          location,
          change: { keyword: "HEALTHCHECK", healthcheck: this.healthcheck(instruction) },
          late: false,
        };
      case "ONBUILD": {
        scope.state.onbuild = true;
        // BuildKit records a trigger's here-documents after its line.
        const bodies = instruction.heredocs.map((heredoc) => `\n${heredoc.content}${heredoc.name}`).join("");
        const change = { keyword: "ONBUILD" as const, trigger: `${instruction.text}${bodies}` };
        return { op: "config", location, change, late: false };
      }
      case "MAINTAINER":
        if (instruction.text === "") this.fail(location, "MAINTAINER needs a name", "write MAINTAINER <name>");
        return { op: "config", location, change: { keyword: "MAINTAINER", author: instruction.text }, late: false };
      default:
        return this.fail(location, `unknown instruction ${instruction.keyword}`, null);
    }
  }

  /**
   * An ENV set `name`: ARG templates that kept it would now be completed with the new value, where
   * BuildKit expanded them with the old one. Variables are replaced, not changed (stages share them).
   */
  private markChangedArgs(env: Map<string, Variable>, name: string, location: DockerfileLocation): void {
    for (const [argName, variable] of env) {
      const templateArg = variable.templateArg;
      if (!variable.fromArg || !templateArg || templateArg.changedBy || !templateArg.kept.includes(name)) continue;
      env.set(argName, { ...variable, templateArg: { ...templateArg, changedBy: { name, location } } });
    }
  }

  /** A RUN gets every ARG: refused when one is a template whose variables an ENV changed since (once per ARG). */
  private checkChangedArgs(instruction: DockerfileInstruction, env: Map<string, Variable>): void {
    for (const [name, variable] of env) {
      const changedBy = variable.templateArg?.changedBy;
      if (!variable.fromArg || !changedBy || this.changedArgsReported.has(variable)) continue;
      this.changedArgsReported.add(variable);
      const declared = variable.templateArg!.declared;
      this.report(
        instruction.location,
        `RUN gets ARG ${name} (line ${declared.line}), whose value uses the base image's ${changedBy.name}: BuildKit expands it at the ARG line, before ENV ${changedBy.name} (line ${changedBy.location.line}) changed it, which stages cannot reproduce`,
        `set ${name} with ENV instead (expanded at its line; it then stays in the image), or give ${name} a value that does not use ${changedBy.name}`,
      );
    }
  }

  private runStep(instruction: DockerfileInstruction, scope: StepScope): DockerfileStep {
    this.checkChangedArgs(instruction, scope.env);
    const network = this.flag(instruction, "network");
    let networkValue: string | null = null;
    if (network) {
      const value = network.value ?? "";
      if (!["default", "none", "host"].includes(value)) {
        this.report(
          network.location,
          `RUN --network=${value} is not a network mode`,
          "write --network=default, none or host",
        );
      } else networkValue = value === "default" ? null : value;
    }
    const late = new LateStrings(this.escape);
    const args: [string, () => string][] = [];
    for (const [name, variable] of scope.env) {
      if (variable.fromArg)
        args.push([name, late.add({ value: variable.value, kept: variable.template ? [name] : [] })]);
    }
    for (const name of proxyArgs) {
      const given = this.options.args[name];
      if (given !== undefined && !scope.env.get(name)?.fromArg) args.push([name, late.add({ value: given, kept: [] })]);
    }
    const resolvedArgs = () => args.map(([name, value]) => [name, value()] as [string, string]);
    const mounts: DockerfileMount[] = [];
    for (const flag of instruction.flags) {
      if (flag.name !== "mount" || this.badFlags.has(flag)) continue;
      const mount = this.attempt(() =>
        this.mount(flag, this.expand(instruction, flag.value ?? "", scope.lookup, "empty").value),
      );
      if (mount) mounts.push(mount);
    }
    const step = {
      op: "run" as const,
      location: instruction.location,
      command: instruction.json ?? [instruction.text],
      shellForm: instruction.json === null,
      shell: instruction.json === null ? scope.state.shell : null,
      heredocs: instruction.heredocs,
      network: networkValue,
    };
    // Absent without mounts, so that the signatures of RUNs without them stay as they were.
    return { ...step, ...(mounts.length > 0 ? { mounts } : {}), args: late.resolve(resolvedArgs), late: late.isLate };
  }

  /**
   * One `--mount` of RUN by BuildKit's rules (comma-separated `key=value`, `type=bind` by default).
   * stages supports `type=secret`; the other types are refused at the flag.
   */
  private mount(flag: DockerfileFlag, value: string): DockerfileMount {
    const fields = new Map<string, string | null>();
    for (const field of splitMountFields(value)) {
      const equals = field.indexOf("=");
      const key = (equals < 0 ? field : field.slice(0, equals)).toLowerCase();
      fields.set(key, equals < 0 ? null : field.slice(equals + 1));
    }
    const type = (fields.get("type") ?? "").toLowerCase();
    if (type === "cache") return this.cacheMount(flag, fields);
    if (type === "tmpfs") return this.tmpfsMount(flag, fields);
    const mount: DockerfileSecretMount = {
      type: "secret",
      id: "",
      target: null,
      env: null,
      required: false,
      mode: 0o400,
      uid: 0,
      gid: 0,
    };
    const number = (key: string, text: string | null, base: 8 | 10): number => {
      const pattern = base === 8 ? /^0?[0-7]+$/ : /^\d+$/;
      if (text === null || !pattern.test(text)) {
        this.fail(
          flag.location,
          `RUN --mount ${key}=${text ?? ""} is not ${base === 8 ? "an octal mode" : "a number"}`,
          base === 8 ? `write ${key}=0440` : `write ${key}=1000`,
        );
      }
      return Number.parseInt(text, base);
    };
    for (const [key, text] of fields) {
      if (key === "type") continue;
      else if (key === "id") mount.id = text ?? "";
      else if (key === "target" || key === "dst" || key === "destination") mount.target = text || null;
      else if (key === "env") mount.env = text || null;
      else if (key === "required") {
        if (text !== null && !/^(true|false)$/i.test(text)) {
          this.fail(flag.location, `RUN --mount required=${text} is not true or false`, "write required=true");
        }
        mount.required = text === null || text.toLowerCase() === "true";
      } else if (key === "mode") mount.mode = number(key, text, 8);
      else if (key === "uid") mount.uid = number(key, text, 10);
      else if (key === "gid") mount.gid = number(key, text, 10);
      else {
        this.fail(
          flag.location,
          `unknown option "${key}" of RUN --mount=type=secret`,
          "a secret mount takes id, target, env, required, mode, uid and gid",
        );
      }
    }
    // BuildKit's defaults: the id is the target's base name; without env, the file is /run/secrets/<id>.
    if (mount.id === "" && mount.target !== null) mount.id = mount.target.replace(/\/+$/, "").split("/").at(-1) ?? "";
    if (mount.id === "") {
      this.fail(flag.location, "RUN --mount=type=secret needs an id", "write --mount=type=secret,id=<secrets: id>");
    }
    if (mount.target === null && mount.env === null) mount.target = `/run/secrets/${mount.id}`;
    return mount;
  }

  /** The target of a cache or tmpfs mount, which BuildKit requires. */
  private mountTarget(flag: DockerfileFlag, fields: ReadonlyMap<string, string | null>, type: string): string {
    const target = fields.get("target") ?? fields.get("dst") ?? fields.get("destination") ?? "";
    if (target === "") {
      this.fail(flag.location, `RUN --mount=type=${type} needs a target`, `write --mount=type=${type},target=<path>`);
    }
    return target;
  }

  /** `type=cache`: id (default: the target), target, ro, sharing; what stages cannot do is refused at the flag. */
  private cacheMount(flag: DockerfileFlag, fields: ReadonlyMap<string, string | null>): DockerfileCacheMount {
    const mount: DockerfileCacheMount = {
      type: "cache",
      id: "",
      target: this.mountTarget(flag, fields, "cache"),
      readOnly: false,
      sharing: "shared",
    };
    for (const [key, text] of fields) {
      if (["type", "target", "dst", "destination"].includes(key)) continue;
      if (key === "id") mount.id = text ?? "";
      else if (key === "ro" || key === "readonly") mount.readOnly = text === null || text.toLowerCase() === "true";
      else if (key === "rw" || key === "readwrite") mount.readOnly = !(text === null || text.toLowerCase() === "true");
      else if (key === "sharing") {
        const sharing = (text ?? "").toLowerCase();
        if (sharing !== "shared" && sharing !== "private" && sharing !== "locked") {
          this.fail(
            flag.location,
            `RUN --mount sharing=${text ?? ""} is not shared, private or locked`,
            "write sharing=shared",
          );
        }
        mount.sharing = sharing;
      } else if (["from", "source", "src", "mode", "uid", "gid"].includes(key)) {
        this.fail(
          flag.location,
          `RUN --mount=type=cache with ${key}= is not supported by stages yet`,
          "leave it out: the cache directory starts empty, owned by root",
        );
      } else {
        this.fail(
          flag.location,
          `unknown option "${key}" of RUN --mount=type=cache`,
          "a cache mount takes id, target, ro and sharing",
        );
      }
    }
    if (mount.id === "") mount.id = mount.target;
    return mount;
  }

  /** `type=tmpfs`: target and size (bytes, or with a k/m/g suffix as Docker's units). */
  private tmpfsMount(flag: DockerfileFlag, fields: ReadonlyMap<string, string | null>): DockerfileTmpfsMount {
    const mount: DockerfileTmpfsMount = { type: "tmpfs", target: this.mountTarget(flag, fields, "tmpfs"), size: 0 };
    for (const [key, text] of fields) {
      if (["type", "target", "dst", "destination"].includes(key)) continue;
      if (key === "size") {
        const match = /^(\d+)([kmg]?)b?$/i.exec(text ?? "");
        if (!match) this.fail(flag.location, `RUN --mount size=${text ?? ""} is not a size`, "write size=64m");
        const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as "" | "k" | "m" | "g"];
        mount.size = Number(match[1]) * unit;
      } else {
        this.fail(
          flag.location,
          `unknown option "${key}" of RUN --mount=type=tmpfs`,
          "a tmpfs mount takes target and size",
        );
      }
    }
    return mount;
  }

  private copyStep(
    instruction: DockerfileInstruction,
    scope: StepScope,
    late: LateStrings,
    word: (text: string) => () => string,
  ): DockerfileStep {
    const keyword = instruction.keyword;
    const location = instruction.location;
    const add = keyword === "ADD";
    const written = instruction.json ?? (instruction.text === "" ? [] : instruction.text.split(whitespace));
    if (written.length < 2) {
      this.fail(
        location,
        `${keyword} needs at least one source and a destination`,
        `write ${keyword} <source>... <destination>`,
      );
    }
    const heredocNames = new Map(instruction.heredocs.map((heredoc) => [heredoc.name, heredoc]));
    const heredocs: (() => DockerfileHeredoc)[] = [];
    const sources: (() => string)[] = [];
    for (const source of written.slice(0, -1)) {
      const marker = /^<<-?(.*)$/.exec(source);
      const heredoc = marker ? heredocNames.get(marker[1]!.replace(/^["']|["']$/g, "")) : undefined;
      if (heredoc) {
        if (!heredoc.expand) {
          heredocs.push(() => heredoc);
          continue;
        }
        // BuildKit expands an unquoted COPY here-document with quotes taken literally and `\` escaping.
        const content = late.add(this.expandBody(instruction, heredoc.content, scope.lookup), bodyTemplate);
        heredocs.push(() => ({ ...heredoc, content: content() }));
        continue;
      }
      const url = /^https?:\/\//.test(source);
      const git = /^(git@|git:\/\/|ssh:\/\/)/.test(source) || (url && /\.git(#.*)?$/.test(source));
      if (add && (git || (url && this.options.staged !== false))) {
        const remote = !git;
        this.report(
          location,
          remote
            ? `ADD of a URL (${source}) is not supported in a staged build`
            : `ADD of a git repository (${source}) is not supported`,
          remote ? stagedFalseHint : unsupportedHint,
        );
        continue;
      }
      sources.push(word(source));
    }
    const destination = word(written.at(-1)!);
    const flag = (name: string) => this.flag(instruction, name);
    const chownFlag = flag("chown");
    // An empty --chown= is no --chown (BuildKit's default value).
    const chown = chownFlag && (chownFlag.value ?? "") !== "" ? word(chownFlag.value ?? "") : null;
    let chmod: number | null = null;
    const chmodFlag = flag("chmod");
    if (chmodFlag && (chmodFlag.value ?? "") !== "") {
      const value = this.expand(instruction, chmodFlag.value ?? "", scope.lookup, "keep");
      // Symbolic modes (u+x), which newer BuildKit takes, have no number to sign and apply here.
      if (value.kept.length > 0 || !/^[0-7]+$/.test(value.value) || Number.parseInt(value.value, 8) > 0o7777) {
        this.report(
          chmodFlag.location,
          `${keyword} --chmod=${chmodFlag.value ?? ""} is not an octal mode`,
          "write an octal mode such as --chmod=0755",
        );
      } else chmod = Number.parseInt(value.value, 8);
    }
    const link = this.booleanFlag(flag("link"));
    let from: { type: "context" } | DockerfileSource = { type: "context" };
    const fromFlag = flag("from");
    if (fromFlag) {
      const name = fromFlag.value ?? "";
      if (name === "") {
        this.fail(fromFlag.location, "COPY --from names nothing", "write --from=<stage, image or stage index>");
      }
      if (this.expand(instruction, name, () => undefined, "empty").value !== name) {
        this.fail(
          fromFlag.location,
          `COPY --from=${name}: --from takes no variables (BuildKit refuses them too)`,
          "add a stage FROM $NAME AS <name> (with ARG NAME before the first FROM) and copy --from=<name>",
        );
      }
      // By stage name (any case, later stages too), by stage index, else an image.
      const stage = this.byName.get(name.toLowerCase()) ?? (/^\d+$/.test(name) ? Number(name) : undefined);
      from = stage === undefined ? this.image(name) : { type: "stage", index: stage };
      if (stage !== undefined) {
        if (stage >= this.headers.length) {
          this.fail(
            fromFlag.location,
            `COPY --from=${name}: there is no build stage ${name}`,
            `stages are numbered from 0 to ${this.headers.length - 1}`,
          );
        }
        scope.needs.push({ index: stage, location: fromFlag.location });
      }
    }
    return {
      op: "copy",
      location,
      add,
      sources: late.resolve(() => sources.map((source) => source())),
      heredocs: late.resolve(() => heredocs.map((heredoc) => heredoc())),
      destination: late.resolve(destination),
      from,
      chown: chown === null ? null : late.resolve(chown),
      chmod,
      link,
      late: late.isLate,
    };
  }

  private booleanFlag(flag: DockerfileFlag | undefined): boolean {
    if (!flag) return false;
    // checkFlags allowed only true and false.
    return flag.value === null || flag.value.toLowerCase() === "true";
  }

  private healthcheck(instruction: DockerfileInstruction): DockerfileHealthcheck {
    const location = instruction.location;
    const type = /^\S+/.exec(instruction.text)?.[0]?.toUpperCase();
    const rest = instruction.text.replace(/^\S+\s*/, "");
    let test: string[];
    if (type === undefined) {
      return this.fail(location, "HEALTHCHECK needs NONE or CMD <command>", "write HEALTHCHECK CMD <command>");
    }
    if (type === "NONE") {
      if (rest !== "") {
        this.fail(location, "HEALTHCHECK NONE takes no arguments", "write HEALTHCHECK NONE");
      }
      // BuildKit reads no flags for NONE.
      return { test: ["NONE"], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
    }
    if (type === "CMD") {
      if (rest === "" || (instruction.json !== null && instruction.json.length === 0)) {
        this.fail(location, "HEALTHCHECK CMD needs a command", "write HEALTHCHECK CMD <command>");
      }
      test = instruction.json ? ["CMD", ...instruction.json] : ["CMD-SHELL", rest];
    } else {
      return this.fail(
        location,
        `unknown HEALTHCHECK type ${type}`,
        "write HEALTHCHECK CMD <command> or HEALTHCHECK NONE",
      );
    }
    const duration = (name: string): number => {
      const flag = this.flag(instruction, name);
      if (!flag) return 0;
      const value = parseGoDuration(flag.value ?? "");
      if (value === null)
        this.fail(
          flag.location,
          `HEALTHCHECK --${name}=${flag.value ?? ""} is not a duration`,
          "write a duration such as 30s, 1m30s or 500ms",
        );
      if (value < 0) this.fail(flag.location, `HEALTHCHECK --${name} cannot be negative`, null);
      if (value !== 0 && value < 1_000_000)
        this.fail(flag.location, `HEALTHCHECK --${name} cannot be less than 1ms`, null);
      return value;
    };
    const retries = (): number => {
      const flag = this.flag(instruction, "retries");
      if (!flag) return 0;
      const value = flag.value ?? "";
      if (!/^[+-]?\d+$/.test(value)) this.fail(flag.location, `HEALTHCHECK --retries=${value} is not a number`, null);
      if (Number(value) < 0) this.fail(flag.location, "HEALTHCHECK --retries cannot be negative", null);
      return Number(value);
    };
    // Each flag's problem is its own: every one is reported.
    const checked = (read: () => number): number => this.attempt(read) ?? 0;
    const values = {
      interval: checked(() => duration("interval")),
      timeout: checked(() => duration("timeout")),
      startPeriod: checked(() => duration("start-period")),
      startInterval: checked(() => duration("start-interval")),
      retries: checked(retries),
    };
    return {
      test,
      ...values,
    };
  }

  // --- shared ---

  /** The `name[=default]` declarations of an ARG (default as written). */
  private argDeclarations(instruction: DockerfileInstruction): [string, string | null][] {
    const words = splitDockerfileWords(instruction.text, this.escape);
    if (words.length === 0) this.fail(instruction.location, "ARG needs a name", "write ARG <name>[=<default>]");
    return words.map((word) => {
      const equals = word.indexOf("=");
      if (equals === 0) this.fail(instruction.location, `ARG ${word} has no name`, "write ARG <name>=<default>");
      return equals < 0 ? [word, null] : [word.slice(0, equals), word.slice(equals + 1)];
    });
  }

  /** The first flag of that name the instruction has, unless checkFlags reported it. */
  private flag(instruction: DockerfileInstruction, name: string): DockerfileFlag | undefined {
    return instruction.flags.find((found) => found.name === name && !this.badFlags.has(found));
  }

  /**
   * BuildKit's flag rules (BFlags): known names only, each once, string flags with a value, booleans
   * true or false. Every flag's problem is reported (one per flag).
   */
  private checkFlags(instruction: DockerfileInstruction): void {
    const keyword = instruction.keyword;
    const rules = flagRules[keyword] ?? { accepted: {}, unsupported: [] };
    // HEALTHCHECK NONE never reads its flags (BuildKit ignores them).
    if (keyword === "HEALTHCHECK" && /^none(\s|$)/i.test(instruction.text)) return;
    const seen = new Set<string>();
    for (const flag of instruction.flags) {
      const problem = this.flagProblem(keyword, flag, rules, seen);
      seen.add(flag.name);
      if (problem === null) continue;
      this.badFlags.add(flag);
      this.report(flag.location, problem[0], problem[1]);
    }
  }

  /** What is wrong with one flag (message and hint), or null. */
  private flagProblem(
    keyword: string,
    flag: DockerfileFlag,
    rules: { accepted: Record<string, "string" | "boolean">; unsupported: string[] },
    seen: ReadonlySet<string>,
  ): [string, string] | null {
    const type = rules.accepted[flag.name];
    if (rules.unsupported.includes(flag.name)) return [`${keyword} --${flag.name} is not supported`, unsupportedHint];
    if (type === undefined) {
      const names = Object.keys(rules.accepted);
      return [
        `unknown flag --${flag.name} for ${keyword}`,
        names.length === 0
          ? `${keyword} takes no flags`
          : `${keyword} takes ${names.map((name) => `--${name}`).join(", ")}`,
      ];
    }
    // BuildKit takes any number of --mount flags.
    if (seen.has(flag.name) && flag.name !== "mount") return [`${keyword} --${flag.name} is given twice`, "keep one"];
    if (flag.name === "mount" && this.options.staged === false) {
      return [
        "RUN --mount needs a staged build: the engine's classic builder (staged: false) has no mounts",
        "remove staged: false (or the --mount)",
      ];
    }
    if (flag.name === "mount" && flag.value !== null) return mountTypeProblem(flag.value);
    if (type === "string" && flag.value === null) {
      return [`${keyword} --${flag.name} needs a value`, `write --${flag.name}=<value>`];
    }
    if (type === "boolean" && flag.value !== null && !/^(true|false)$/i.test(flag.value)) {
      return [`${keyword} --${flag.name}=${flag.value} is not true or false`, `write --${flag.name}`];
    }
    return null;
  }

  /** Expands a COPY here-document's body: quotes are ordinary characters, the escape is `\\` whatever the directive. */
  private expandBody(
    instruction: DockerfileInstruction,
    text: string,
    lookup: (name: string) => string | undefined,
  ): Expansion {
    return this.expand(instruction, text, lookup, "keep", { escape: "\\", quotes: false });
  }

  private expand(
    instruction: DockerfileInstruction,
    text: string,
    lookup: (name: string) => string | undefined,
    unknown: "empty" | "keep",
    lexing: { escape: "\\" | "`"; quotes: boolean } = { escape: this.escape, quotes: true },
  ): Expansion {
    try {
      return expandWord(text, lookup, { ...lexing, unknown });
    } catch (error) {
      if (error instanceof ShellLexError) {
        this.fail(
          instruction.location,
          `${instruction.keyword}: ${error.message} in ${text}`,
          "check the quotes and braces of the line",
        );
      }
      throw error;
    }
  }

  private expandList(instruction: DockerfileInstruction, text: string, lookup: (name: string) => string | undefined) {
    try {
      return expandWords(text, lookup, { escape: this.escape, unknown: "keep" });
    } catch (error) {
      if (error instanceof ShellLexError) {
        this.fail(
          instruction.location,
          `${instruction.keyword}: ${error.message}`,
          "check the quotes and braces of the line",
        );
      }
      throw error;
    }
  }
}

interface StepScope {
  env: Map<string, Variable>;
  state: StageState;
  lookup: (name: string) => string | undefined;
  needs: { index: number; location: DockerfileLocation }[];
}

/**
 * The expandable strings of one step. Whether the step is late is known only once every string is
 * expanded, and then a final string has to become a template too (completeStep expands them all), so
 * each string is read through a function called after the last one was added.
 */
class LateStrings {
  private readonly expansions: Expansion[] = [];
  constructor(private readonly escapeToken: "\\" | "`") {}

  get isLate(): boolean {
    return this.expansions.some((expansion) => expansion.kept.length > 0);
  }

  /** `template` writes a final value as a template that completeStep expands back to it. */
  add(expansion: Expansion, template = (value: string) => escapeTemplate(value, this.escapeToken)): () => string {
    this.expansions.push(expansion);
    return () => (this.isLate && expansion.kept.length === 0 ? template(expansion.value) : expansion.value);
  }

  resolve<T>(read: () => T): T {
    return read();
  }

  config(location: DockerfileLocation, change: () => DockerfileConfigChange): DockerfileStep {
    return { op: "config", location, change: change(), late: this.isLate };
  }
}

function stageLabel(header: StageHeader): string {
  return header.name ?? String(header.index);
}

/** What is wrong with the type of a `--mount` (BuildKit's default is bind), or null for type=secret. */
function mountTypeProblem(value: string): [string, string] | null {
  const field = splitMountFields(value).find((candidate) => /^type=/i.test(candidate));
  const type = field === undefined ? "bind" : field.slice(5).toLowerCase();
  if (type === "secret" || type === "cache" || type === "tmpfs") return null;
  if (["bind", "ssh"].includes(type)) {
    return [
      `RUN --mount=${value}: type=${type}${field === undefined ? ", BuildKit's default," : ""} is not supported by stages yet`,
      "stages mounts secrets, caches and tmpfs (type=secret|cache|tmpfs); do without this mount, or build the image with docker build",
    ];
  }
  return [
    `RUN --mount=${value}: "${type}" is not a mount type`,
    "write type=secret, cache or tmpfs (BuildKit also has bind and ssh)",
  ];
}

/** The comma-separated fields of a `--mount` value; a field in double quotes keeps its commas (Go's csv). */
function splitMountFields(value: string): string[] {
  const fields: string[] = [];
  let current = "";
  let quoted = false;
  for (let index = 0; index < value.length; index += 1) {
    const char = value[index]!;
    if (char === '"') {
      if (quoted && value[index + 1] === '"') {
        current += '"';
        index += 1;
      } else quoted = !quoted;
    } else if (char === "," && !quoted) {
      fields.push(current);
      current = "";
    } else current += char;
  }
  fields.push(current);
  return fields.map((field) => field.trim()).filter((field) => field !== "");
}
