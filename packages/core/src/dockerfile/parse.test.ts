import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import type { DockerfileInstruction } from "./model.js";
import { parseDockerfile, readDockerfile, splitDockerfileWords, splitNameValues } from "./parse.js";

declare global {
  interface ImportMeta {
    glob(pattern: string, options: { query: "?raw"; import: "default"; eager: true }): Record<string, string>;
  }
}

// BuildKit's golden parser corpus (test/vectors/buildkit, copied unchanged).
const dockerfiles = import.meta.glob("../../test/vectors/buildkit/parser/testfiles/*/Dockerfile", {
  query: "?raw",
  import: "default",
  eager: true,
});
const results = import.meta.glob("../../test/vectors/buildkit/parser/testfiles/*/result", {
  query: "?raw",
  import: "default",
  eager: true,
});

/** Go's strconv.Quote for the characters the corpus has. */
function goQuote(value: string): string {
  const named: Record<string, string> = {
    "\x07": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
  };
  let quoted = '"';
  for (const character of value) {
    const code = character.codePointAt(0)!;
    if (character === '"' || character === "\\") quoted += `\\${character}`;
    else if (named[character]) quoted += named[character];
    else if (code < 0x20 || code === 0x7f) quoted += `\\x${code.toString(16).padStart(2, "0")}`;
    else quoted += character;
  }
  return `${quoted}"`;
}

const whitespace = /[\t\v\f\r ]+/;
const listKeywords = new Set(["ADD", "COPY", "VOLUME"]);

/** Our parsed instruction in BuildKit's Node.Dump form: `(keyword ["--flag"] "arg" ...)`. */
function render(instruction: DockerfileInstruction, escapeToken: "\\" | "`"): string {
  return `(${renderInner(instruction, escapeToken)})`;
}

function renderInner(instruction: DockerfileInstruction, escapeToken: "\\" | "`"): string {
  let line = instruction.keyword.toLowerCase();
  if (instruction.flags.length > 0) {
    const flags = instruction.flags.map((flag) =>
      goQuote(`--${flag.name}${flag.value === null ? "" : `=${flag.value}`}`),
    );
    line += ` [${flags.join(" ")}]`;
  }
  const values: string[] = [];
  const text = instruction.text;
  switch (instruction.keyword) {
    case "ONBUILD":
      return instruction.trigger ? `${line} ${render(instruction.trigger, escapeToken)}` : line;
    case "ARG":
      values.push(...splitDockerfileWords(text, escapeToken));
      break;
    case "ENV":
    case "LABEL": {
      const form = splitNameValues(text, escapeToken, instruction.keyword);
      if (typeof form === "string") throw new Error(form);
      for (const [name, value] of form.pairs) values.push(name, value, form.legacy ? "" : "=");
      break;
    }
    case "EXPOSE":
    case "FROM":
      if (text !== "") values.push(...text.split(whitespace));
      break;
    case "HEALTHCHECK": {
      const type = /^\S+/.exec(text)?.[0];
      if (type === undefined) break;
      values.push(type);
      const command = text.slice(type.length).trim();
      if (instruction.json) values.push(...instruction.json);
      else if (command !== "") values.push(command);
      break;
    }
    default:
      if (instruction.json) values.push(...instruction.json);
      else if (listKeywords.has(instruction.keyword)) {
        if (text !== "") values.push(...text.split(whitespace));
      } else if (text !== "") values.push(text);
  }
  return [line, ...values.map(goQuote)].join(" ");
}

const cases = Object.keys(dockerfiles)
  .map((path) => path.split("/").at(-2)!)
  .sort();

/**
 * Cases BuildKit's parser accepts but a build refuses (no FROM before the first instruction): we refuse
 * them when parsing, so they are compared with a `FROM scratch` line put before them.
 */
const withoutFrom = new Set([
  "jeztah-invalid-json-json-inside-string",
  "jeztah-invalid-json-json-inside-string-double",
  "jeztah-invalid-json-single-quotes",
  "jeztah-invalid-json-unterminated-bracket",
  "jeztah-invalid-json-unterminated-string",
  "json",
]);

describe("parseDockerfile against BuildKit's parser corpus", () => {
  it("has the corpus", () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  for (const name of cases) {
    it(name, () => {
      const text = dockerfiles[`../../test/vectors/buildkit/parser/testfiles/${name}/Dockerfile`]!;
      const expected = results[`../../test/vectors/buildkit/parser/testfiles/${name}/result`]!.trimEnd().split("\n");
      if (withoutFrom.has(name)) {
        expect(() => parseDockerfile(text, "Dockerfile")).toThrow(/before the first FROM/);
        const parsed = parseDockerfile(`FROM scratch\n${text}`, "Dockerfile");
        expect(parsed.instructions.slice(1).map((instruction) => render(instruction, parsed.escape))).toEqual(expected);
        return;
      }
      const parsed = parseDockerfile(text, "Dockerfile");
      expect(parsed.instructions.map((instruction) => render(instruction, parsed.escape))).toEqual(expected);
    });
  }
});

function problemOf(text: string): string {
  try {
    parseDockerfile(text, "app/Dockerfile");
  } catch (error) {
    if (ConfigError.isInstance(error)) return error.problems[0]!.formatted;
    throw error;
  }
  throw new Error("no error");
}

/** Every problem, as file:line:column: message (without the hint). */
function problemsOf(text: string): string[] {
  try {
    parseDockerfile(text, "app/Dockerfile");
  } catch (error) {
    if (ConfigError.isInstance(error))
      return error.problems.map((problem) => problem.formatted.replace(/ \(.*\)$/, ""));
    throw error;
  }
  throw new Error("no error");
}

describe("parseDockerfile", () => {
  it("fills the model: keyword, flags, json, text, location, endLine, original", () => {
    const parsed = parseDockerfile(
      "# syntax=docker/dockerfile:1\n\nFROM alpine AS build\n  copy --from=build --chmod=755 --link \\\n  # a comment\n  a b /c\n",
      "Dockerfile",
    );
    expect(parsed.syntax).toBe("docker/dockerfile:1");
    expect(parsed.escape).toBe("\\");
    expect(parsed.instructions[1]).toEqual({
      keyword: "COPY",
      flags: [
        { name: "from", value: "build", location: { file: "Dockerfile", line: 4, column: 8 } },
        { name: "chmod", value: "755", location: { file: "Dockerfile", line: 4, column: 21 } },
        { name: "link", value: null, location: { file: "Dockerfile", line: 4, column: 33 } },
      ],
      json: null,
      text: "a b /c",
      heredocs: [],
      trigger: null,
      original: "copy --from=build --chmod=755 --link \\",
      location: { file: "Dockerfile", line: 4, column: 3 },
      endLine: 6,
    });
  });

  it("reads the JSON form, and invalid JSON as the shell form", () => {
    const parsed = parseDockerfile('FROM a\nCMD ["a", "b c"]\nCMD ["a", ]\nENTRYPOINT []\n', "Dockerfile");
    expect(parsed.instructions.map((instruction) => instruction.json)).toEqual([null, ["a", "b c"], null, []]);
    expect(problemOf('FROM a\nRUN ["a", 1]\n')).toBe(
      "app/Dockerfile:2:1: when using JSON array syntax, arrays must be comprised of strings only",
    );
  });

  it("reads here-documents: plain, quoted, <<- with tabs, several on one line", () => {
    const parsed = parseDockerfile(
      'FROM a\nRUN <<EOF\necho $HOME\nEOF\nCOPY <<-"ONE" <<TWO /dest/\n\tone\n\tONE\ntwo\nTWO\nRUN echo done\n',
      "Dockerfile",
    );
    const [, run, copy, last] = parsed.instructions;
    expect(run!.heredocs).toEqual([{ name: "EOF", content: "echo $HOME\n", expand: true, chomp: false }]);
    expect(run!.endLine).toBe(4);
    expect(copy!.heredocs).toEqual([
      { name: "ONE", content: "one\n", expand: false, chomp: true },
      { name: "TWO", content: "two\n", expand: true, chomp: false },
    ]);
    expect(copy!.text).toBe('<<-"ONE" <<TWO /dest/');
    expect(last!.text).toBe("echo done");
    expect(last!.location.line).toBe(10);
  });

  it("reads a here-document marker with blanks after <<, keeps CRLF bodies as written, not in the JSON form", () => {
    const spaced = parseDockerfile("FROM a\nRUN cat << EOF\nhi\nEOF\n", "Dockerfile").instructions[1]!;
    expect(spaced.heredocs).toEqual([{ name: "EOF", content: "hi\n", expand: true, chomp: false }]);
    const crlf = parseDockerfile("FROM a\r\nRUN <<EOF\r\nhi\r\nEOF\r\nRUN x\r\n", "Dockerfile").instructions;
    expect(crlf[1]!.heredocs[0]!.content).toBe("hi\r\n");
    expect(crlf[2]!.text).toBe("x");
    const json = parseDockerfile('FROM a\nRUN ["cat", "<<EOF"]\nRUN x\n', "Dockerfile").instructions;
    expect(json.map((instruction) => instruction.heredocs)).toEqual([[], [], []]);
  });

  it("removes the escape character in flags, whichever it is", () => {
    const parsed = parseDockerfile('# escape=`\nFROM a\nCOPY --chown=a`:b --from=`"x`" c d\n', "Dockerfile");
    expect(parsed.instructions[1]!.flags.map((flag) => flag.value)).toEqual(["a:b", '"x"']);
  });

  it("does not read here-documents of other instructions or in quotes", () => {
    const parsed = parseDockerfile("FROM a\nENV A=<<EOF\nRUN echo '<<EOF'\n", "Dockerfile");
    expect(parsed.instructions.map((instruction) => instruction.heredocs)).toEqual([[], [], []]);
  });

  it("reads ONBUILD's trigger with its flags", () => {
    const parsed = parseDockerfile("FROM a\nONBUILD COPY --from=x a b\n", "Dockerfile");
    const trigger = parsed.instructions[1]!.trigger!;
    expect(parsed.instructions[1]!.text).toBe("COPY --from=x a b");
    expect(trigger.keyword).toBe("COPY");
    expect(trigger.flags.map((flag) => [flag.name, flag.value])).toEqual([["from", "x"]]);
    expect(trigger.text).toBe("a b");
    expect(trigger.location).toEqual({ file: "Dockerfile", line: 2, column: 9 });
  });

  it("follows the escape directive, only at the top", () => {
    expect(parseDockerfile("# escape=`\nFROM a\nRUN a `\n b\n", "D").instructions[1]!.text).toBe("a  b");
    expect(parseDockerfile("FROM a\n# escape=`\nRUN a \\\n b\n", "D").escape).toBe("\\");
    expect(problemOf("# escape=x\nFROM a\n")).toBe(
      'app/Dockerfile:1:1: invalid escape character "x" in the escape directive (write # escape=\\ or # escape=`)',
    );
    expect(problemOf("# escape=`\n# escape=`\nFROM a\n")).toBe(
      "app/Dockerfile:2:1: only one escape parser directive can be used (remove the repeated directive)",
    );
  });

  it("reports problems where they are", () => {
    expect(problemOf("")).toBe("app/Dockerfile:1:1: the Dockerfile has no instructions (start it with FROM <image>)");
    expect(problemOf("# only a comment\n\n")).toMatch(/^app\/Dockerfile:1:1: the Dockerfile has no instructions/);
    expect(problemOf("FROM a\n\n  RUNN make\n")).toBe(
      "app/Dockerfile:3:3: unknown instruction RUNN (did you mean RUN?)",
    );
    expect(problemOf("FROM a\nCOMPILE x\n")).toBe(
      "app/Dockerfile:2:1: unknown instruction COMPILE (Dockerfile instructions are ADD, ARG, CMD, COPY, ENTRYPOINT, ENV, EXPOSE, FROM, HEALTHCHECK, LABEL, MAINTAINER, ONBUILD, RUN, SHELL, STOPSIGNAL, USER, VOLUME, WORKDIR)",
    );
    expect(problemOf("FROM a\nONBUILD FROM b\n")).toBe(
      "app/Dockerfile:2:9: FROM is not allowed as an ONBUILD trigger (ONBUILD takes any other instruction)",
    );
    expect(problemOf("FROM a\nONBUILD BUILD b\n")).toMatch(/^app\/Dockerfile:2:9: unknown instruction BUILD/);
    expect(problemOf("ARG V=1\nRUN make\nFROM a\n")).toBe(
      "app/Dockerfile:2:1: RUN before the first FROM: there is no build stage yet (start the build stage with FROM <image>; only ARG may come before the first FROM)",
    );
    expect(problemOf("FROM a\nRUN <<EOF\necho\n")).toBe(
      "app/Dockerfile:2:1: unterminated here-document <<EOF (end it with a line holding only EOF)",
    );
  });

  it("reports every problem at once, in file order", () => {
    const text = [
      "# escape=x",
      "# escape=`",
      "RUNN a",
      "RUN b",
      "COPY a b",
      "FROM a",
      "ONBUILD FROM b",
      "ONBUILD",
      'RUN ["a", 1]',
      "ONBUILD RUN [1]",
      "COMPILE x",
      "RUN <<EOF",
      "echo",
      "",
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      'app/Dockerfile:1:1: invalid escape character "x" in the escape directive',
      "app/Dockerfile:2:1: only one escape parser directive can be used",
      "app/Dockerfile:3:1: unknown instruction RUNN",
      // One problem for every instruction before the first FROM: they have one cause.
      "app/Dockerfile:4:1: RUN before the first FROM: there is no build stage yet",
      "app/Dockerfile:7:9: FROM is not allowed as an ONBUILD trigger",
      "app/Dockerfile:8:1: ONBUILD needs an instruction to run later",
      "app/Dockerfile:9:1: when using JSON array syntax, arrays must be comprised of strings only",
      "app/Dockerfile:10:9: when using JSON array syntax, arrays must be comprised of strings only",
      "app/Dockerfile:11:1: unknown instruction COMPILE",
      "app/Dockerfile:12:1: unterminated here-document <<EOF",
    ]);
  });

  it("readDockerfile keeps reading after a problem and names the instructions it is in", () => {
    const reading = readDockerfile('FROM a\nRUNN make\nRUN ["a", 1]\nONBUILD FROM b\nRUN ok\n', "D");
    expect(reading.problems.map((problem) => problem.line)).toEqual([2, 3, 4]);
    expect(reading.parsed!.instructions.map((instruction) => instruction.keyword)).toEqual([
      "FROM",
      "RUNN",
      "RUN",
      "ONBUILD",
      "RUN",
    ]);
    expect([...reading.flawed].map((instruction) => instruction.location.line).sort()).toEqual([2, 3, 4]);
    // A bad escape directive leaves the default escape: the rest reads as BuildKit's default would.
    expect(readDockerfile("# escape=x\nFROM a\nRUN a \\\n b\n", "D").parsed!.instructions[1]!.text).toBe("a  b");
    const empty = readDockerfile("# nothing\n", "D");
    expect(empty.parsed).toBeNull();
    expect(empty.problems.map((problem) => problem.formatted)).toEqual([
      "D:1:1: the Dockerfile has no instructions (start it with FROM <image>)",
    ]);
  });

  it("splits ENV and LABEL as BuildKit does", () => {
    expect(splitNameValues('a=1 b="2 3"', "\\", "ENV")).toEqual({
      legacy: false,
      pairs: [
        ["a", "1"],
        ["b", '"2 3"'],
      ],
    });
    expect(splitNameValues("a 1 2", "\\", "ENV")).toEqual({ legacy: true, pairs: [["a", "1 2"]] });
    expect(splitNameValues("a", "\\", "ENV")).toBe("ENV needs a name and a value");
    expect(splitNameValues("a=1 b", "\\", "LABEL")).toBe('"b" is not name=value');
  });
});
