// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is Dockerfile variable syntax here, not a template.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { type EvaluateOptions, evaluateDockerfile, parseAndEvaluateDockerfile } from "./evaluate.js";
import type { DockerfileBuildStage, DockerfileConfigChange, DockerfileStep, EvaluatedDockerfile } from "./model.js";
import { parseDockerfile } from "./parse.js";
import { completeStep } from "./shell-lexer.js";

const file = "app/Dockerfile";

function evaluate(text: string, options: Partial<EvaluateOptions> = {}): EvaluatedDockerfile {
  return evaluateDockerfile(parseDockerfile(text, file), {
    args: {},
    target: null,
    configImages: new Set(),
    ...options,
  });
}

function problemOf(text: string, options: Partial<EvaluateOptions> = {}): string {
  try {
    evaluate(text, options);
  } catch (error) {
    if (ConfigError.isInstance(error)) return error.problems[0]!.formatted;
    throw error;
  }
  throw new Error("no error");
}

/** Every problem, formatted, in the order of the ConfigError. */
function problemsOf(text: string, options: Partial<EvaluateOptions> = {}): string[] {
  try {
    evaluate(text, options);
  } catch (error) {
    if (ConfigError.isInstance(error)) return error.problems.map((problem) => problem.formatted);
    throw error;
  }
  throw new Error("no error");
}

/** Every problem of parseAndEvaluateDockerfile (parser's and evaluation's), as file:line:column: message. */
function allProblemsOf(text: string, options: Partial<EvaluateOptions> = {}): string[] {
  try {
    parseAndEvaluateDockerfile(text, file, { args: {}, target: null, configImages: new Set(), ...options });
  } catch (error) {
    if (ConfigError.isInstance(error))
      return error.problems.map((problem) => problem.formatted.replace(/ \(.*\)$/, ""));
    throw error;
  }
  throw new Error("no error");
}

function lastStage(text: string, options: Partial<EvaluateOptions> = {}): DockerfileBuildStage {
  return evaluate(text, options).stages.at(-1)!;
}

/** The config changes of the last stage, without locations. */
function changes(text: string, options: Partial<EvaluateOptions> = {}): DockerfileConfigChange[] {
  return lastStage(text, options).steps.flatMap((step) => (step.op === "config" ? [step.change] : []));
}

function runs(text: string, options: Partial<EvaluateOptions> = {}): Extract<DockerfileStep, { op: "run" }>[] {
  return lastStage(text, options).steps.flatMap((step) => (step.op === "run" ? [step] : []));
}

function copies(text: string, options: Partial<EvaluateOptions> = {}): Extract<DockerfileStep, { op: "copy" }>[] {
  return lastStage(text, options).steps.flatMap((step) => (step.op === "copy" ? [step] : []));
}

describe("evaluateDockerfile: variables", () => {
  it("expands meta args in FROM only; unknown ones are empty there", () => {
    const evaluated = evaluate("ARG BASE=alpine\nARG TAG\nFROM ${BASE}:3${TAG}\nWORKDIR /$BASE\n", { args: {} });
    const stage = evaluated.stages[0]!;
    expect(stage.base).toEqual({ type: "image", reference: "alpine:3" });
    // BASE is not declared in the stage: kept for the image's ENV.
    expect(stage.steps[0]).toMatchObject({ change: { keyword: "WORKDIR", path: "/$BASE" }, late: true });
  });

  it("re-imports a meta arg with ARG NAME; a build arg overrides defaults", () => {
    const text = "ARG V=1\nFROM a\nARG V\nARG W=2\nENV X=$V-$W\n";
    expect(changes(text)).toEqual([{ keyword: "ENV", env: [["X", "1-2"]] }]);
    expect(changes(text, { args: { V: "9", W: "8" } })).toEqual([{ keyword: "ENV", env: [["X", "9-8"]] }]);
  });

  it("expands a meta arg's default with the meta args before it", () => {
    expect(evaluate("ARG A=x\nARG B=$A-y\nFROM $B\n").stages[0]!.base).toEqual({ type: "image", reference: "x-y" });
  });

  it("scopes ARG to its build stage; a redeclared ARG takes its new default", () => {
    const text = "FROM a AS one\nARG V=1\nFROM a\nENV A=${V:-unset}\nARG V=2\nENV B=$V\n";
    // V of the first stage is not visible: it may only come from the image's ENV.
    expect(lastStage(text).steps.map((step) => [step.op === "config" && step.change, step.late])).toEqual([
      [{ keyword: "ENV", env: [["A", "${V:-unset}"]] }, true],
      [{ keyword: "ENV", env: [["B", "2"]] }, false],
    ]);
  });

  it("lets the later of ENV and ARG of the same name win, as BuildKit's stage environment does", () => {
    expect(changes("FROM a\nARG V=arg\nENV V=env\nENV W=$V\n")[1]).toEqual({ keyword: "ENV", env: [["W", "env"]] });
    expect(changes("FROM a\nARG V=arg\nENV V=env\nENV W=$V\n", { args: { V: "given" } })[1]).toEqual({
      keyword: "ENV",
      env: [["W", "env"]],
    });
    expect(changes("FROM a\nENV V=env\nARG V=arg\nENV W=$V\n")[1]).toEqual({ keyword: "ENV", env: [["W", "arg"]] });
    expect(runs("FROM a\nENV V=env\nARG V=arg\nRUN x\n")[0]!.args).toEqual([["V", "arg"]]);
    // An ARG without a value changes nothing.
    expect(changes("FROM a\nARG V=1\nARG V\nENV W=$V\n")).toEqual([{ keyword: "ENV", env: [["W", "1"]] }]);
  });

  it("gives an inherited ARG way to the image's ENV of the same name in the next stage (checked on Engine 20.10's BuildKit)", () => {
    const text = [
      "FROM a AS base",
      "ARG A=fromarg",
      "ENV B=env",
      "ARG B=argafterenv",
      "ENV C=$A-$B",
      "FROM base",
      "ARG D",
      "ENV E=$A-$D-$B",
      "RUN x",
      "",
    ].join("\n");
    expect(evaluate(text, { args: { D: "dd" } }).stages[0]!.steps[1]).toMatchObject({
      change: { env: [["C", "fromarg-argafterenv"]] },
    });
    const [env, run] = lastStage(text, { args: { D: "dd" } }).steps;
    expect(env).toMatchObject({ change: { env: [["E", "fromarg-dd-env"]] } });
    expect(run).toMatchObject({
      args: [
        ["A", "fromarg"],
        ["D", "dd"],
      ],
    });
  });

  it("passes ARG values to the stages that FROM this stage, as RUN args", () => {
    expect(runs("FROM a AS base\nARG V=1\nFROM base\nARG W=2\nRUN x\n")[0]!.args).toEqual([
      ["V", "1"],
      ["W", "2"],
    ]);
  });

  it("keeps a platform meta arg redeclared without a value, and defines TARGETSTAGE", () => {
    const text = "ARG TARGETARCH\nFROM img-$TARGETARCH-$TARGETSTAGE AS final\n";
    expect(evaluate(text).stages[0]!.base).toEqual({ type: "image", reference: "img-amd64-final" });
  });

  it("expands every pair of one ENV with the variables from before it", () => {
    expect(changes("FROM a\nENV A=1\nENV A=2 B=$A\n")[1]).toEqual({
      keyword: "ENV",
      env: [
        ["A", "2"],
        ["B", "1"],
      ],
    });
  });

  it("reads the legacy ENV and LABEL forms and removes quotes", () => {
    expect(changes('FROM a\nENV A b c\nLABEL "x y"="1 2" z=\'$A\'\nENV B="a b" C=a\\ b\n')).toEqual([
      { keyword: "ENV", env: [["A", "b c"]] },
      {
        keyword: "LABEL",
        labels: [
          ["x y", "1 2"],
          ["z", "$A"],
        ],
      },
      {
        keyword: "ENV",
        env: [
          ["B", "a b"],
          ["C", "a b"],
        ],
      },
    ]);
  });

  it("passes ENV to the stages that FROM this stage", () => {
    const text = "FROM a AS base\nENV DIR=/srv\nFROM base\nWORKDIR $DIR/app\n";
    expect(changes(text)).toEqual([{ keyword: "WORKDIR", path: "/srv/app" }]);
  });

  it("keeps a variable of the base image ($PATH) as a late template that completeStep finishes", () => {
    const stage = lastStage("FROM a\nARG V='it''s'\nENV PATH=/opt/bin:$PATH LABEL=$V\n");
    const step = stage.steps[0]!;
    expect(step).toMatchObject({ op: "config", late: true });
    const completed = completeStep(step, (name) => (name === "PATH" ? "/usr/bin" : undefined), "\\");
    expect(completed).toMatchObject({
      late: false,
      change: {
        keyword: "ENV",
        env: [
          ["PATH", "/opt/bin:/usr/bin"],
          ["LABEL", "its"],
        ],
      },
    });
  });

  it("keeps an ENV whose value is a template, so that it is read from the image at build time", () => {
    const [, workdir] = lastStage("FROM a\nENV P=$HOME/x\nWORKDIR $P\n").steps;
    expect(workdir).toMatchObject({ change: { keyword: "WORKDIR", path: "$P" }, late: true });
  });

  it("refuses to use an ARG whose value depends on the base image outside RUN", () => {
    expect(problemOf("FROM a\nARG P=$HOME/x\nRUN echo\nWORKDIR $P\n")).toBe(
      "app/Dockerfile:4:1: WORKDIR uses ARG P, whose value depends on the base image's environment (give P a value that does not use the base image's variables, or use them directly)",
    );
  });

  it("refuses a RUN given an ARG template whose variable an ENV changed since the ARG (BuildKit expands it at the ARG)", () => {
    // BuildKit: A is the base image's PATH; completing $PATH at the RUN would give /x.
    expect(problemsOf("FROM a\nARG A=$PATH\nENV PATH=/x\nRUN echo $A\nRUN again\n")).toEqual([
      "app/Dockerfile:4:1: RUN gets ARG A (line 2), whose value uses the base image's PATH: BuildKit expands it at the ARG line, before ENV PATH (line 3) changed it, which stages cannot reproduce (set A with ENV instead (expanded at its line; it then stays in the image), or give A a value that does not use PATH)",
    ]);
    // Through a stage that FROMs the ARG's stage too.
    expect(problemsOf("FROM a AS base\nARG A=x${HOME}\nFROM base\nENV HOME=/h\nRUN echo\n")).toEqual([
      expect.stringMatching(/^app\/Dockerfile:5:1: RUN gets ARG A \(line 2\).* ENV HOME \(line 4\)/),
    ]);
  });

  it("gives RUN an ARG template while no ENV changed its variables; a stage's ENV does not reach its siblings", () => {
    const home = (name: string) => (name === "PATH" ? "/bin" : undefined);
    const [run] = runs("FROM a\nENV PATH=/x\nARG A=$PATH B=$HOME\nENV HOME2=1\nARG B=1\nENV HOME=/h\nRUN echo\n");
    expect(run!.args).toEqual([
      ["A", "/x"],
      ["B", "1"],
    ]);
    const [late] = runs("FROM a\nARG A=$PATH\nENV P=/x\nRUN echo\n");
    expect(completeStep(late!, home, "\\")).toMatchObject({ args: [["A", "/bin"]] });
    // c changes PATH after b's ARG; e, another stage FROM b, still gets A as BuildKit does.
    const text =
      "FROM a AS b\nARG A=$PATH\nFROM b AS e\nRUN two\nFROM b AS c\nENV PATH=/x\nFROM c\nCOPY --from=e / /\n";
    const sibling = evaluate(text).stages.find((stage) => stage.name === "e")!;
    expect(sibling.steps[0]).toMatchObject({ op: "run", args: [["A", "$PATH"]], late: true });
  });

  it("gives RUN the ARGs declared so far with values, and the proxy args given", () => {
    const [first, second] = runs("FROM a\nARG A=1\nARG B\nRUN one\nARG C=3\nENV A=env\nRUN two\n", {
      args: { HTTP_PROXY: "http://proxy", B: "2" },
    });
    expect(first!.args).toEqual([
      ["A", "1"],
      ["B", "2"],
      ["HTTP_PROXY", "http://proxy"],
    ]);
    expect(second!.args).toEqual([
      ["B", "2"],
      ["C", "3"],
      ["HTTP_PROXY", "http://proxy"],
    ]);
    expect(first!.late).toBe(false);
  });

  it("defines the platform args when declared", () => {
    const text =
      "FROM --platform=$BUILDPLATFORM a\nARG TARGETARCH\nARG TARGETPLATFORM\nARG BUILDOS\nENV X=$TARGETARCH,$TARGETPLATFORM,$BUILDOS\n";
    expect(changes(text)).toEqual([{ keyword: "ENV", env: [["X", "amd64,linux/amd64,linux"]] }]);
    expect(changes(text, { platform: "linux/arm64/v8" })).toEqual([
      { keyword: "ENV", env: [["X", "arm64,linux/arm64/v8,linux"]] },
    ]);
  });

  it("reports the build args that no needed stage declares", () => {
    const evaluated = evaluate("ARG M\nFROM a AS other\nARG O\nFROM b\nARG U\n", {
      args: { M: "1", O: "2", U: "3", X: "4", no_proxy: "x" },
    });
    expect(evaluated.unusedArgs).toEqual(["O", "X"]);
  });
});

describe("evaluateDockerfile: stages", () => {
  const multi = [
    "FROM golang AS build",
    "RUN make",
    "FROM alpine AS unused",
    "RUN exit 1",
    "FROM build AS test",
    "RUN make test",
    "FROM scratch",
    "COPY --from=build /out /app",
    "COPY --from=0 /out /app0",
    "",
  ].join("\n");

  it("evaluates only the stages the target needs, dependencies first, target last", () => {
    const evaluated = evaluate(multi);
    expect(evaluated.stages.map((stage) => [stage.index, stage.name, stage.base])).toEqual([
      [0, "build", { type: "image", reference: "golang" }],
      [3, null, { type: "scratch" }],
    ]);
    expect(copies(multi).map((step) => step.from)).toEqual([
      { type: "stage", index: 0 },
      { type: "stage", index: 0 },
    ]);
  });

  it("selects the target by its AS name, case-insensitively", () => {
    const evaluated = evaluate(multi, { target: "TEST" });
    expect(evaluated.stages.map((stage) => stage.name)).toEqual(["build", "test"]);
    expect(evaluated.stages[1]!.base).toEqual({ type: "stage", index: 0 });
  });

  it("orders a COPY --from of a later stage before the stage that copies", () => {
    const evaluated = evaluate("FROM a AS first\nCOPY --from=second /x /x\nFROM b AS second\nRUN b\n", {
      target: "first",
    });
    expect(evaluated.stages.map((stage) => stage.name)).toEqual(["second", "first"]);
    // Sources name build stages by their index in the file, whatever the order of evaluation.
    expect(
      copies("FROM a AS first\nCOPY --from=second /x /x\nFROM b AS second\n", { target: "first" })[0]!.from,
    ).toEqual({
      type: "stage",
      index: 1,
    });
  });

  it("names build stages by their index in the file when unused stages come before", () => {
    const evaluated = evaluate("FROM a AS unused\nFROM b AS build\nFROM build\nCOPY --from=build /x /x\n");
    expect(evaluated.stages.map((stage) => [stage.index, stage.base])).toEqual([
      [1, { type: "image", reference: "b" }],
      [2, { type: "stage", index: 1 }],
    ]);
    expect(copies("FROM a AS unused\nFROM b AS build\nFROM build\nCOPY --from=build /x /x\n")[0]!.from).toEqual({
      type: "stage",
      index: 1,
    });
  });

  it("names config images in FROM and COPY --from; a build stage of the same name wins", () => {
    const text = "FROM backend AS base\nFROM tools\nCOPY --from=base /a /a\nCOPY --from=backend /b /b\n";
    const evaluated = evaluate(text, { configImages: new Set(["backend", "tools"]) });
    expect(evaluated.stages.map((stage) => stage.base)).toEqual([
      { type: "configImage", name: "backend" },
      { type: "configImage", name: "tools" },
    ]);
    expect(evaluated.stages[1]!.steps.map((step) => (step.op === "copy" ? step.from : null))).toEqual([
      { type: "stage", index: 0 },
      { type: "configImage", name: "backend" },
    ]);
  });

  it("takes COPY --from by name in any case or as an image, and refuses variables in it as BuildKit does", () => {
    const text = "FROM a AS build\nFROM b\nCOPY --from=BUILD /a /a\nCOPY --from=registry.example/x:1 /b /b\n";
    expect(copies(text).map((step) => step.from)).toEqual([
      { type: "stage", index: 0 },
      { type: "image", reference: "registry.example/x:1" },
    ]);
    expect(problemOf("ARG SRC=build\nFROM a AS build\nFROM b\nCOPY --from=$SRC /a /a\n")).toBe(
      "app/Dockerfile:4:6: COPY --from=$SRC: --from takes no variables (BuildKit refuses them too) (add a stage FROM $NAME AS <name> (with ARG NAME before the first FROM) and copy --from=<name>)",
    );
  });

  it("takes FROM <stage> only for an earlier stage, by its lower-case name", () => {
    expect(evaluate("FROM a AS base\nFROM base\n").stages.map((stage) => stage.base)).toEqual([
      { type: "image", reference: "a" },
      { type: "stage", index: 0 },
    ]);
    expect(evaluate("FROM a AS base\nFROM Base\n").stages.at(-1)!.base).toEqual({ type: "image", reference: "Base" });
    expect(evaluate("FROM later AS first\nFROM b AS later\n", { target: "first" }).stages).toEqual([
      expect.objectContaining({ name: "first", base: { type: "image", reference: "later" } }),
    ]);
  });

  it("refuses a cycle, an unknown target and a stage index out of range", () => {
    expect(problemOf("FROM a AS one\nCOPY --from=two /a /a\nFROM one AS two\n", { target: "two" })).toBe(
      "app/Dockerfile:2:6: circular dependency between build stages: two → one → two (a stage cannot use itself, directly or through other stages)",
    );
    expect(problemOf("FROM a AS one\nCOPY --from=one /a /a\n")).toMatch(
      /^app\/Dockerfile:2:6: circular dependency between build stages: one → one/,
    );
    expect(problemOf("FROM a AS one\nFROM b AS two\n", { target: "three" })).toBe(
      'app/Dockerfile:1:1: target build stage "three" is not in the Dockerfile (its stages are one, two)',
    );
    expect(problemOf("FROM a\nCOPY --from=3 /a /a\n")).toBe(
      "app/Dockerfile:2:6: COPY --from=3: there is no build stage 3 (stages are numbered from 0 to 0)",
    );
  });

  it("checks FROM: --platform, AS name, empty base", () => {
    expect(evaluate("FROM --platform=linux/amd64 a\n").stages[0]!.base).toEqual({ type: "image", reference: "a" });
    expect(problemOf("FROM --platform=linux/arm64 a\n")).toBe(
      "app/Dockerfile:1:6: FROM --platform=linux/arm64 asks for linux/arm64, but stages builds for the engine's platform (linux/amd64) (remove --platform, or write --platform=$BUILDPLATFORM)",
    );
    expect(problemOf("FROM a AS 1x\n")).toMatch(/^app\/Dockerfile:1:1: invalid build stage name "1x"/);
    expect(problemOf("FROM a AS x\nFROM b AS X\n")).toMatch(/^app\/Dockerfile:2:1: duplicate build stage name "x"/);
    expect(problemOf("FROM a b\n")).toMatch(/^app\/Dockerfile:1:1: FROM needs an image and optionally AS <name>/);
    expect(problemOf("ARG B\nFROM $B\n")).toMatch(/^app\/Dockerfile:2:1: the base image of FROM \$B is empty/);
  });
});

describe("evaluateDockerfile: steps", () => {
  it("makes RUN steps: shell and exec form, the SHELL in effect, heredocs, --network", () => {
    const [shell, exec, bash, heredoc, none] = runs(
      'FROM a\nRUN echo $HOME\nRUN ["echo", "$HOME"]\nSHELL ["/bin/bash", "-c"]\nRUN echo\nRUN <<EOF\necho hi\nEOF\nRUN --network=none make\n',
    );
    expect(shell).toMatchObject({ command: ["echo $HOME"], shellForm: true, shell: null, late: false });
    expect(exec).toMatchObject({ command: ["echo", "$HOME"], shellForm: false, shell: null });
    expect(bash).toMatchObject({ command: ["echo"], shell: ["/bin/bash", "-c"] });
    expect(heredoc).toMatchObject({
      command: ["<<EOF"],
      heredocs: [{ name: "EOF", content: "echo hi\n", expand: true, chomp: false }],
    });
    expect(none).toMatchObject({ network: "none", location: { file, line: 9, column: 1 } });
  });

  it("makes COPY and ADD steps with their flags expanded", () => {
    const [copy, add, json, heredoc] = copies(
      'FROM a\nARG U=app\nCOPY --chown=$U:$U --chmod=0755 --link src/*.go ./$U/\nADD x.tar.gz /\nCOPY ["a b", "/c d/"]\nCOPY <<EOF /etc/conf\nx=1\nEOF\n',
    );
    expect(copy).toEqual({
      op: "copy",
      location: { file, line: 3, column: 1 },
      add: false,
      sources: ["src/*.go"],
      heredocs: [],
      destination: "./app/",
      from: { type: "context" },
      chown: "app:app",
      chmod: 0o755,
      link: true,
      late: false,
    });
    expect(add).toMatchObject({
      add: true,
      sources: ["x.tar.gz"],
      destination: "/",
      chown: null,
      chmod: null,
      link: false,
    });
    expect(json).toMatchObject({ sources: ["a b"], destination: "/c d/" });
    expect(heredoc).toMatchObject({
      sources: [],
      heredocs: [{ name: "EOF", content: "x=1\n" }],
      destination: "/etc/conf",
    });
    expect(copies("FROM a\nCOPY --chown= --chmod= --link=FALSE a b\n")[0]).toMatchObject({
      chown: null,
      chmod: null,
      link: false,
    });
  });

  it("expands an unquoted COPY here-document as BuildKit does: quotes literal, backslash escapes", () => {
    const [expanded, literal] = copies(
      "FROM a\nARG NAME=world\nCOPY <<EOF /greeting\nhello \"$NAME\" '${NAME}' \\$HOME\nEOF\nCOPY <<'EOF' /raw\n$NAME\nEOF\n",
    );
    expect(expanded!.heredocs).toEqual([
      { name: "EOF", content: "hello \"world\" 'world' $HOME\n", expand: true, chomp: false },
    ]);
    expect(expanded!.late).toBe(false);
    expect(literal!.heredocs[0]!.content).toBe("$NAME\n");
  });

  it("leaves a here-document body for completeStep when the COPY is late, expanded once either way", () => {
    const home = (name: string) => (name === "HOME" ? "/root" : undefined);
    const [finalBody, lateBody] = copies(
      "FROM a\nARG NAME=world\nCOPY <<EOF $HOME/x\nsay \"$NAME\" 'x' \\$HOME a\\\\b\nEOF\nCOPY <<EOF /y\n$HOME/'a'\nEOF\n",
    );
    expect(finalBody!.late).toBe(true);
    expect(completeStep(finalBody!, home, "\\")).toMatchObject({
      destination: "/root/x",
      heredocs: [{ content: "say \"world\" 'x' $HOME a\\b\n" }],
    });
    expect(lateBody!.late).toBe(true);
    expect(completeStep(lateBody!, home, "\\")).toMatchObject({ heredocs: [{ content: "/root/'a'\n" }] });
    // The body's template is in the body's own syntax (escape `\\`), not the Dockerfile's.
    const [backtick] = copies("# escape=`\nFROM a\nARG NAME=world\nCOPY <<EOF $HOME/x\na `$NAME $NAME\nEOF\n");
    expect(completeStep(backtick!, home, "`")).toMatchObject({ heredocs: [{ content: "a `world world\n" }] });
  });

  it("reads quotes in a here-document's patterns as ordinary characters, in a late step and with # escape=`", () => {
    const home = (name: string) => (name === "HOME" ? "/root" : undefined);
    // The pattern 'x' (quotes included) does not match x; HOME comes from the image. BuildKit: x/root.
    const [known] = copies("FROM a\nARG N=x\nCOPY <<EOF /x\n${N#'x'}$HOME\nEOF\n");
    expect(known!.late).toBe(true);
    expect(completeStep(known!, home, "\\")).toMatchObject({ heredocs: [{ content: "x/root\n" }] });
    // N is 'x' (quotes included): the pattern matches it whole. A kept variable's pattern keeps its quotes; `\\` escapes in the body whatever the directive.
    const [kept] = copies("# escape=`\nFROM a\nARG N=\"'x'\"\nCOPY <<EOF /x\n${HOME%'t'}${N#'x'} \\$N `$N\nEOF\n");
    expect(completeStep(kept!, home, "`")).toMatchObject({ heredocs: [{ content: "/root $N `'x'\n" }] });
  });

  it("makes a COPY with a base image variable late, every string a template", () => {
    const [copy] = copies('FROM a\nARG F="it\'s"\nCOPY ["$F", "$HOME/"]\n');
    expect(copy!.late).toBe(true);
    const completed = completeStep(copy!, (name) => (name === "HOME" ? "/root" : undefined), "\\");
    expect(completed).toMatchObject({ sources: ["it's"], destination: "/root/", late: false });
  });

  it("makes config steps: WORKDIR USER STOPSIGNAL EXPOSE VOLUME CMD ENTRYPOINT ONBUILD MAINTAINER", () => {
    const text = [
      "FROM a",
      "ARG P=8080",
      "WORKDIR /srv",
      "USER app:app",
      "STOPSIGNAL SIGTERM",
      "EXPOSE 80 $P/UDP 7000-7002/tcp 127.0.0.1:9000:90",
      "VOLUME /a /b",
      'VOLUME ["/c d"]',
      'SHELL ["/bin/ash", "-eo", "pipefail", "-c"]',
      "CMD run --fast",
      'ENTRYPOINT ["/init"]',
      "ONBUILD RUN make",
      "MAINTAINER me",
      "",
    ].join("\n");
    expect(changes(text)).toEqual([
      { keyword: "WORKDIR", path: "/srv" },
      { keyword: "USER", user: "app:app" },
      { keyword: "STOPSIGNAL", signal: "SIGTERM" },
      // Sorted as written first: $P/UDP, 127.0.0.1:9000:90, 7000-7002/tcp, 80.
      { keyword: "EXPOSE", ports: ["8080/udp", "90/tcp", "7000/tcp", "7001/tcp", "7002/tcp", "80/tcp"] },
      { keyword: "VOLUME", paths: ["/a", "/b"] },
      { keyword: "VOLUME", paths: ["/c d"] },
      { keyword: "SHELL", shell: ["/bin/ash", "-eo", "pipefail", "-c"] },
      { keyword: "CMD", command: ["run --fast"], shellForm: true, shell: ["/bin/ash", "-eo", "pipefail", "-c"] },
      { keyword: "ENTRYPOINT", command: ["/init"], shellForm: false, shell: null, keepCmd: true },
      { keyword: "ONBUILD", trigger: "RUN make" },
      { keyword: "MAINTAINER", author: "me" },
    ]);
  });

  it("records an ONBUILD trigger with its here-documents", () => {
    expect(changes("FROM a\nONBUILD RUN <<EOF\nmake\nEOF\n")).toEqual([
      { keyword: "ONBUILD", trigger: "RUN <<EOF\nmake\nEOF" },
    ]);
  });

  it("tells ENTRYPOINT whether a CMD came earlier in the same build stage", () => {
    const text = 'FROM a AS base\nCMD ["x"]\nENTRYPOINT ["e"]\nFROM base\nENTRYPOINT ["f"]\nCMD ["y"]\n';
    expect(
      evaluate(text).stages.map((stage) => stage.steps.map((step) => step.op === "config" && step.change)),
    ).toEqual([
      [
        { keyword: "CMD", command: ["x"], shellForm: false, shell: null },
        { keyword: "ENTRYPOINT", command: ["e"], shellForm: false, shell: null, keepCmd: true },
      ],
      [
        { keyword: "ENTRYPOINT", command: ["f"], shellForm: false, shell: null, keepCmd: false },
        { keyword: "CMD", command: ["y"], shellForm: false, shell: null },
      ],
    ]);
  });

  it("inherits SHELL from the stage it FROMs", () => {
    expect(changes('FROM a AS base\nSHELL ["/bin/bash", "-c"]\nFROM base\nCMD x\n')).toEqual([
      { keyword: "CMD", command: ["x"], shellForm: true, shell: ["/bin/bash", "-c"] },
    ]);
  });

  it("reads HEALTHCHECK with Go durations", () => {
    expect(
      changes(
        'FROM a\nHEALTHCHECK --interval=30s --timeout=1m30s --start-period=500ms --retries=3 CMD curl -f http://x/\nHEALTHCHECK cmd ["check"]\nHEALTHCHECK --interval=1s NONE\n',
      ),
    ).toEqual([
      {
        keyword: "HEALTHCHECK",
        healthcheck: {
          test: ["CMD-SHELL", "curl -f http://x/"],
          interval: 30e9,
          timeout: 90e9,
          startPeriod: 5e8,
          startInterval: 0,
          retries: 3,
        },
      },
      {
        keyword: "HEALTHCHECK",
        healthcheck: { test: ["CMD", "check"], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 },
      },
      {
        keyword: "HEALTHCHECK",
        healthcheck: { test: ["NONE"], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 },
      },
    ]);
  });

  it("refuses what it cannot build, where it is written", () => {
    const cases: [string, string][] = [
      [
        "FROM a\nRUN --mount=type=bind,target=/src make\n",
        "app/Dockerfile:2:5: RUN --mount=type=bind,target=/src: type=bind is not supported by stages yet (stages mounts secrets, caches and tmpfs (type=secret|cache|tmpfs); do without this mount, or build the image with docker build)",
      ],
      [
        "FROM a\nCOPY --parents a/ /b\n",
        "app/Dockerfile:2:6: COPY --parents is not supported (remove it: neither staged builds nor the engine's classic builder (staged: false) support it)",
      ],
      [
        "FROM a\nADD https://example.com/x.tgz /x\n",
        'app/Dockerfile:2:1: ADD of a URL (https://example.com/x.tgz) is not supported in a staged build (set "staged: false" for this image to build it with the engine\'s builder)',
      ],
      [
        "FROM a\nADD git@github.com:a/b.git /b\n",
        "app/Dockerfile:2:1: ADD of a git repository (git@github.com:a/b.git) is not supported (remove it: neither staged builds nor the engine's classic builder (staged: false) support it)",
      ],
      [
        "FROM a\nCOPY --frm=x a b\n",
        "app/Dockerfile:2:6: unknown flag --frm for COPY (COPY takes --from, --chown, --chmod, --link)",
      ],
      ["FROM a\nENV --x=1 A=1\n", "app/Dockerfile:2:5: unknown flag --x for ENV (ENV takes no flags)"],
      ["FROM a\nCOPY --from=x --from=y a b\n", "app/Dockerfile:2:15: COPY --from is given twice (keep one)"],
      ["FROM a\nCOPY --chown a b\n", "app/Dockerfile:2:6: COPY --chown needs a value (write --chown=<value>)"],
      ["FROM a\nCOPY --link=yes a b\n", "app/Dockerfile:2:6: COPY --link=yes is not true or false (write --link)"],
      [
        "FROM a AS unused\nRUN --security=insecure x\nFROM b\n",
        "app/Dockerfile:2:5: RUN --security is not supported (remove it: neither staged builds nor the engine's classic builder (staged: false) support it)",
      ],
      [
        "FROM a\nCOPY onlyone\n",
        "app/Dockerfile:2:1: COPY needs at least one source and a destination (write COPY <source>... <destination>)",
      ],
      [
        "FROM a\nCOPY --chmod=u+x a b\n",
        "app/Dockerfile:2:6: COPY --chmod=u+x is not an octal mode (write an octal mode such as --chmod=0755)",
      ],
      ["FROM a\nENV A\n", "app/Dockerfile:2:1: ENV: ENV needs a name and a value (write ENV <name>=<value> ...)"],
      ["FROM a\nENV =1\n", "app/Dockerfile:2:1: ENV =1 has no name (write ENV <name>=<value>)"],
      ["FROM a\nMAINTAINER\n", "app/Dockerfile:2:1: MAINTAINER needs a name (write MAINTAINER <name>)"],
      ["FROM a\nWORKDIR\n", "app/Dockerfile:2:1: WORKDIR needs an argument (write WORKDIR <path>)"],
      ["FROM a\nARG =1\n", "app/Dockerfile:2:1: ARG =1 has no name (write ARG <name>=<default>)"],
      ["FROM a\nLABEL a=1 b\n", 'app/Dockerfile:2:1: LABEL: "b" is not name=value (write LABEL <name>=<value> ...)'],
      [
        "FROM a\nEXPOSE http\n",
        "app/Dockerfile:2:1: EXPOSE http is not a port (<port>[-<port>][/tcp|udp|sctp]) (write EXPOSE 80, 80/udp or 8000-8010/tcp)",
      ],
      [
        "FROM a\nSHELL /bin/bash\n",
        'app/Dockerfile:2:1: SHELL needs its arguments in JSON form (write SHELL ["executable", "parameters"])',
      ],
      [
        "FROM a\nHEALTHCHECK --interval=5x CMD a\n",
        "app/Dockerfile:2:13: HEALTHCHECK --interval=5x is not a duration (write a duration such as 30s, 1m30s or 500ms)",
      ],
      [
        "FROM a\nHEALTHCHECK CONNECT x\n",
        "app/Dockerfile:2:1: unknown HEALTHCHECK type CONNECT (write HEALTHCHECK CMD <command> or HEALTHCHECK NONE)",
      ],
      [
        "FROM a\nHEALTHCHECK\n",
        "app/Dockerfile:2:1: HEALTHCHECK needs NONE or CMD <command> (write HEALTHCHECK CMD <command>)",
      ],
      [
        "FROM a\nRUN --network=bridge x\n",
        "app/Dockerfile:2:5: RUN --network=bridge is not a network mode (write --network=default, none or host)",
      ],
      [
        "FROM a\nWORKDIR ${X\n",
        "app/Dockerfile:2:1: WORKDIR: syntax error: missing '}' in ${X (check the quotes and braces of the line)",
      ],
      ["ARG A\n", "app/Dockerfile:1:1: the Dockerfile has no FROM (start the build stage with FROM <image>)"],
      [
        "# syntax=example.com/frontend:2\nFROM a\n",
        'app/Dockerfile:1:1: the syntax directive names the frontend example.com/frontend:2: stages reads Dockerfiles by the rules of docker/dockerfile:1 (remove the directive (or write # syntax=docker/dockerfile:1), or set "staged: false" for this image to build it with the engine\'s builder)',
      ],
      [
        "FROM a AS base\nONBUILD RUN x\nFROM base\n",
        'app/Dockerfile:3:1: build stage base has ONBUILD triggers, which stages does not run for a stage of the same Dockerfile (move the triggered instructions into this stage, or set "staged: false" for this image to build it with the engine\'s builder)',
      ],
    ];
    for (const [text, expected] of cases) expect(problemOf(text)).toBe(expected);
  });

  it("accepts what the engine's builder can do for an image with staged: false", () => {
    const text =
      "# syntax=example.com/frontend:2\nFROM a AS base\nONBUILD RUN x\nFROM base\nADD https://example.com/x.tgz /x\n";
    expect(copies(text, { staged: false })).toMatchObject([{ add: true, sources: ["https://example.com/x.tgz"] }]);
    expect(problemOf("FROM a\nADD git@github.com:a/b.git /b\n", { staged: false })).toMatch(/ADD of a git repository/);
  });

  it("accepts the docker/dockerfile:1 syntax directives", () => {
    for (const syntax of [
      "docker/dockerfile:1",
      "docker/dockerfile:1.7",
      "docker.io/docker/dockerfile:1.4.3",
      "docker/dockerfile:1-labs",
    ]) {
      expect(evaluate(`# syntax=${syntax}\nFROM a\n`).stages).toHaveLength(1);
    }
  });
});

describe("evaluateDockerfile: every problem at once", () => {
  const unsupported = "(remove it: neither staged builds nor the engine's classic builder (staged: false) support it)";

  it("reports the problems of several instructions, not only the first", () => {
    expect(problemsOf("FROM a\nRUN --mount=type=ssh echo hi\nCOPY --parents a /b\n")).toEqual([
      "app/Dockerfile:2:5: RUN --mount=type=ssh: type=ssh is not supported by stages yet (stages mounts secrets, caches and tmpfs (type=secret|cache|tmpfs); do without this mount, or build the image with docker build)",
      `app/Dockerfile:3:6: COPY --parents is not supported ${unsupported}`,
    ]);
  });

  it("reports them in file order, whatever the order the stages are evaluated in", () => {
    // Stage two is needed first, but evaluated after stage one (its base); flags are checked before steps.
    const text = [
      "FROM a AS one",
      "WORKDIR",
      "FROM one AS two",
      "COPY --chmod=99 x /y",
      "RUN --network=bogus --security=x make",
      "HEALTHCHECK --interval=x --retries=-1 CMD true",
      "EXPOSE nope",
      "ENV =x",
      "COPY --from=two a /b",
      "COPY --link=maybe --link a /b",
      "USER",
      "",
    ].join("\n");
    expect(problemsOf(text).map((problem) => problem.replace(/ \(.*\)$/, ""))).toEqual([
      "app/Dockerfile:2:1: WORKDIR needs an argument",
      "app/Dockerfile:4:6: COPY --chmod=99 is not an octal mode",
      "app/Dockerfile:5:5: RUN --network=bogus is not a network mode",
      "app/Dockerfile:5:21: RUN --security is not supported",
      "app/Dockerfile:6:13: HEALTHCHECK --interval=x is not a duration",
      "app/Dockerfile:6:26: HEALTHCHECK --retries cannot be negative",
      "app/Dockerfile:7:1: EXPOSE nope is not a port",
      "app/Dockerfile:8:1: ENV =x has no name",
      "app/Dockerfile:9:6: circular dependency between build stages: two → two",
      "app/Dockerfile:10:6: COPY --link=maybe is not true or false",
      "app/Dockerfile:10:19: COPY --link is given twice",
      "app/Dockerfile:11:1: USER needs an argument",
    ]);
  });

  it("reports a flag's problem once: the step reads as if the flag were not written", () => {
    expect(problemsOf("FROM a\nCOPY --from a /b\nRUN --network make\nHEALTHCHECK --timeout CMD x\n")).toEqual([
      "app/Dockerfile:2:6: COPY --from needs a value (write --from=<value>)",
      "app/Dockerfile:3:5: RUN --network needs a value (write --network=<value>)",
      "app/Dockerfile:4:13: HEALTHCHECK --timeout needs a value (write --timeout=<value>)",
    ]);
    expect(problemsOf("FROM --platform a\nRUN --mount=x y\n")).toEqual([
      "app/Dockerfile:1:6: FROM --platform needs a value (write --platform=<value>)",
      "app/Dockerfile:2:5: RUN --mount=x: type=bind, BuildKit's default, is not supported by stages yet (stages mounts secrets, caches and tmpfs (type=secret|cache|tmpfs); do without this mount, or build the image with docker build)",
    ]);
  });

  it("goes on after a stage's FROM has a problem: later stages keep their place", () => {
    // Stage 0 is not needed (its WORKDIR is not evaluated); stage 2, needed by its index, is.
    expect(problemsOf("FROM a AS 1x\nWORKDIR\nFROM b AS 1x\nFROM c d e f\nUSER\nFROM e\nCOPY --from=2 a /b\n")).toEqual(
      [
        `app/Dockerfile:1:1: invalid build stage name "1x" (a stage name starts with a letter and has only letters, digits, '-', '_' and '.')`,
        `app/Dockerfile:3:1: invalid build stage name "1x" (a stage name starts with a letter and has only letters, digits, '-', '_' and '.')`,
        "app/Dockerfile:4:1: FROM needs an image and optionally AS <name> (write FROM <image> [AS <name>])",
        "app/Dockerfile:5:1: USER needs an argument (write USER <user>[:<group>])",
      ],
    );
    // FROM without an image is one problem, not also an empty base.
    expect(problemsOf("FROM\nUSER\n")).toEqual([
      "app/Dockerfile:1:1: FROM needs an image and optionally AS <name> (write FROM <image> [AS <name>])",
      "app/Dockerfile:2:1: USER needs an argument (write USER <user>[:<group>])",
    ]);
    expect(problemsOf("ARG B\nFROM $B\nUSER\nFROM a AS x\nFROM b AS X\nFROM x\nWORKDIR\nCOPY --from=0 a /b\n")).toEqual(
      [
        "app/Dockerfile:2:1: the base image of FROM $B is empty (give the variable a value (ARG before the first FROM))",
        "app/Dockerfile:3:1: USER needs an argument (write USER <user>[:<group>])",
        'app/Dockerfile:5:1: duplicate build stage name "x" (give every stage its own AS name)',
        "app/Dockerfile:7:1: WORKDIR needs an argument (write WORKDIR <path>)",
      ],
    );
  });

  it("reports the problems of the meta args and of every ADD source", () => {
    expect(problemsOf("ARG =x\nARG A=${B\nFROM a\nADD http://x/a https://x/b /c\n")).toEqual([
      "app/Dockerfile:1:1: ARG =x has no name (write ARG <name>=<default>)",
      "app/Dockerfile:2:1: ARG: syntax error: missing '}' in ${B (check the quotes and braces of the line)",
      'app/Dockerfile:4:1: ADD of a URL (http://x/a) is not supported in a staged build (set "staged: false" for this image to build it with the engine\'s builder)',
      'app/Dockerfile:4:1: ADD of a URL (https://x/b) is not supported in a staged build (set "staged: false" for this image to build it with the engine\'s builder)',
    ]);
  });

  it("stops at a problem that leaves nothing to evaluate, with the problems found before it", () => {
    // A foreign frontend reads another language: nothing else is judged.
    expect(allProblemsOf("# syntax=example.com/x:1\nFROM a\nRUN --mount=x y\n")).toEqual([
      "app/Dockerfile:1:1: the syntax directive names the frontend example.com/x:1: stages reads Dockerfiles by the rules of docker/dockerfile:1",
    ]);
    // Flags are checked in every stage before the target is looked for.
    expect(allProblemsOf("FROM a\nRUN --mount=x y\n", { target: "x" })).toEqual([
      'app/Dockerfile:1:1: target build stage "x" is not in the Dockerfile',
      "app/Dockerfile:2:5: RUN --mount=x: type=bind, BuildKit's default, is not supported by stages yet",
    ]);
    expect(allProblemsOf("ARG A\n")).toEqual(["app/Dockerfile:1:1: the Dockerfile has no FROM"]);
    // The parser said why there is no FROM: evaluation adds nothing.
    expect(allProblemsOf("FORM a\nRUN b\n")).toEqual([
      "app/Dockerfile:1:1: unknown instruction FORM",
      "app/Dockerfile:2:1: RUN before the first FROM: there is no build stage yet",
    ]);
  });

  it("parseAndEvaluateDockerfile reports the parser's problems and the evaluation's together, once each", () => {
    const text = 'FROM a\nRUNN make\nCOPY --parents a /b\nRUN ["a", 1]\nONBUILD FROM x\nWORKDIR\nRUN <<EOF\necho\n';
    expect(allProblemsOf(text)).toEqual([
      "app/Dockerfile:2:1: unknown instruction RUNN",
      "app/Dockerfile:3:6: COPY --parents is not supported",
      "app/Dockerfile:4:1: when using JSON array syntax, arrays must be comprised of strings only",
      "app/Dockerfile:5:9: FROM is not allowed as an ONBUILD trigger",
      "app/Dockerfile:6:1: WORKDIR needs an argument",
      "app/Dockerfile:7:1: unterminated here-document <<EOF",
    ]);
    const { parsed, evaluated } = parseAndEvaluateDockerfile("FROM a\nRUN make\n", file, {
      args: {},
      target: null,
      configImages: new Set(),
    });
    expect(parsed.instructions).toHaveLength(2);
    expect(evaluated.stages[0]!.steps).toMatchObject([{ op: "run", command: ["make"] }]);
  });
});

describe("parseDockerfile and evaluateDockerfile on any text", () => {
  it("either succeed or throw a located ConfigError", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const fragments = [
      "FROM a AS b\n",
      "FROM b\n",
      "ARG A=$B\n",
      "ENV A=${A:-x} B c\n",
      "RUN <<EOF\n",
      "EOF\n",
      "COPY --from=b <<-X /y\n",
      "\tX\n",
      "COPY --chown=$A:$U ['a', \"b\"] /c\n",
      "EXPOSE $P 80-81/udp\n",
      'HEALTHCHECK --interval=1s CMD ["x"]\n',
      "ONBUILD ",
      "LABEL a=\"b c\" d='e'\n",
      "WORKDIR ${X:?missing}\n",
      "# escape=`\n",
      "\\\n",
      "`\n",
      " ",
      "\n",
      '"',
      "'",
      "$",
      "{",
      "}",
      "[",
      "]",
      "--",
      "=",
    ];
    for (let round = 0; round < 400; round++) {
      let text = "";
      const length = 1 + Math.floor(random() * 12);
      for (let index = 0; index < length; index++) text += fragments[Math.floor(random() * fragments.length)];
      try {
        evaluateDockerfile(parseDockerfile(text, file), {
          args: { A: "1" },
          target: null,
          configImages: new Set(["b"]),
        });
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw new Error(`${JSON.stringify(text)} threw ${String(error)}`);
        expectLocatedInOrder(error.problems.map((problem) => problem.formatted));
      }
      try {
        parseAndEvaluateDockerfile(text, file, { args: { A: "1" }, target: null, configImages: new Set(["b"]) });
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw new Error(`${JSON.stringify(text)} threw ${String(error)}`);
        expectLocatedInOrder(error.problems.map((problem) => problem.formatted));
      }
    }
  });
});

/** Every problem has a place, the places in file order, no problem twice. */
function expectLocatedInOrder(problems: string[]): void {
  expect(problems.length).toBeGreaterThan(0);
  const places = problems.map((problem) => {
    const match = /^app\/Dockerfile:(\d+):(\d+): /.exec(problem);
    expect(match, problem).not.toBeNull();
    return [Number(match![1]), Number(match![2])] as const;
  });
  for (let index = 1; index < places.length; index++) {
    const [line, column] = places[index]!;
    const [previousLine, previousColumn] = places[index - 1]!;
    expect(line > previousLine || (line === previousLine && column >= previousColumn), problems.join("\n")).toBe(true);
  }
  expect(new Set(problems).size).toBe(problems.length);
}

describe("RUN --mount=type=secret", () => {
  const runOf = (text: string, options: Partial<EvaluateOptions> = {}) =>
    lastStage(text, options).steps.find((step) => step.op === "run") as Extract<DockerfileStep, { op: "run" }>;

  it("reads BuildKit's options and defaults: target /run/secrets/<id>, mode 0400, uid and gid 0, not required", () => {
    expect(runOf("FROM a\nRUN --mount=type=secret,id=npm cat /run/secrets/npm\n").mounts).toEqual([
      {
        type: "secret",
        id: "npm",
        target: "/run/secrets/npm",
        env: null,
        required: false,
        mode: 0o400,
        uid: 0,
        gid: 0,
      },
    ]);
    const run = runOf(
      "FROM a\nARG WHERE=/root\nRUN --mount=type=secret,id=npm,dst=$WHERE/.npmrc,required,mode=0440,uid=1000,gid=10 \\\n  --mount=type=secret,id=token,env=TOKEN,required=false \\\n  --mount=type=secret,target=/etc/key.pem make\n",
    );
    expect(run.command).toEqual(["make"]);
    expect(run.mounts).toEqual([
      { type: "secret", id: "npm", target: "/root/.npmrc", env: null, required: true, mode: 0o440, uid: 1000, gid: 10 },
      { type: "secret", id: "token", target: null, env: "TOKEN", required: false, mode: 0o400, uid: 0, gid: 0 },
      // Without an id, the target's base name is the id.
      {
        type: "secret",
        id: "key.pem",
        target: "/etc/key.pem",
        env: null,
        required: false,
        mode: 0o400,
        uid: 0,
        gid: 0,
      },
    ]);
  });

  it("leaves a RUN without mounts as it was (no mounts key: its signature does not change)", () => {
    expect(runOf("FROM a\nRUN make\n")).not.toHaveProperty("mounts");
  });

  it("refuses bad options where the flag is", () => {
    expect(
      problemsOf("FROM a\nRUN --mount=type=secret,id=a,mode=999 x\nRUN --mount=type=secret,target=/x,uid=me y\n"),
    ).toEqual([
      "app/Dockerfile:2:5: RUN --mount mode=999 is not an octal mode (write mode=0440)",
      "app/Dockerfile:3:5: RUN --mount uid=me is not a number (write uid=1000)",
    ]);
    expect(problemsOf("FROM a\nRUN --mount=type=secret,env=A x\n")).toEqual([
      "app/Dockerfile:2:5: RUN --mount=type=secret needs an id (write --mount=type=secret,id=<secrets: id>)",
    ]);
    expect(problemsOf("FROM a\nRUN --mount=type=secret,id=a,sharing=locked x\n")).toEqual([
      'app/Dockerfile:2:5: unknown option "sharing" of RUN --mount=type=secret (a secret mount takes id, target, env, required, mode, uid and gid)',
    ]);
    expect(problemsOf("FROM a\nRUN --mount=type=secret,id=a,required=maybe x\nRUN --mount=type=volume x\n")).toEqual([
      "app/Dockerfile:2:5: RUN --mount required=maybe is not true or false (write required=true)",
      'app/Dockerfile:3:5: RUN --mount=type=volume: "volume" is not a mount type (write type=secret, cache or tmpfs (BuildKit also has bind and ssh))',
    ]);
  });

  it("is refused under staged: false: the engine's classic builder has no mounts", () => {
    expect(problemOf("FROM a\nRUN --mount=type=secret,id=a x\n", { staged: false })).toBe(
      "app/Dockerfile:2:5: RUN --mount needs a staged build: the engine's classic builder (staged: false) has no mounts (remove staged: false (or the --mount))",
    );
  });
});

describe("RUN --mount=type=cache and type=tmpfs", () => {
  const runOf = (text: string) =>
    lastStage(text).steps.find((step) => step.op === "run") as Extract<DockerfileStep, { op: "run" }>;

  it("reads a cache mount (id defaults to the target) and a tmpfs mount", () => {
    expect(
      runOf(
        "FROM a\nWORKDIR /src\nRUN --mount=type=cache,target=/root/.cache/go-build --mount=type=cache,id=npm,dst=.npm,ro,sharing=locked --mount=type=tmpfs,target=/tmp,size=64m go build\n",
      ).mounts,
    ).toEqual([
      {
        type: "cache",
        id: "/root/.cache/go-build",
        target: "/root/.cache/go-build",
        readOnly: false,
        sharing: "shared",
      },
      { type: "cache", id: "npm", target: ".npm", readOnly: true, sharing: "locked" },
      { type: "tmpfs", target: "/tmp", size: 64 * 1024 * 1024 },
    ]);
  });

  it("refuses what stages cannot do with them, where the flag is", () => {
    expect(
      problemsOf(
        "FROM a\nRUN --mount=type=cache,target=/c,from=base x\nRUN --mount=type=cache,target=/c,uid=1000 x\nRUN --mount=type=tmpfs x\nRUN --mount=type=tmpfs,target=/t,size=lots x\nRUN --mount=type=cache,target=/c,sharing=all x\n",
      ),
    ).toEqual([
      "app/Dockerfile:2:5: RUN --mount=type=cache with from= is not supported by stages yet (leave it out: the cache directory starts empty, owned by root)",
      "app/Dockerfile:3:5: RUN --mount=type=cache with uid= is not supported by stages yet (leave it out: the cache directory starts empty, owned by root)",
      "app/Dockerfile:4:5: RUN --mount=type=tmpfs needs a target (write --mount=type=tmpfs,target=<path>)",
      "app/Dockerfile:5:5: RUN --mount size=lots is not a size (write size=64m)",
      "app/Dockerfile:6:5: RUN --mount sharing=all is not shared, private or locked (write sharing=shared)",
    ]);
  });
});
