// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the lexer's variable syntax here, not a template.
import { describe, expect, it } from "vitest";
import envVarTest from "../../test/vectors/buildkit/shell/envVarTest?raw";
import generatedVectors from "../../test/vectors/buildkit/shell/generated.jsonl?raw";
import wordsTest from "../../test/vectors/buildkit/shell/wordsTest?raw";
import { StageBuildError } from "../errors.js";
import type { DockerfileConfigChange, DockerfileLocation, DockerfileStep } from "./model.js";
import {
  completeStep,
  escapeTemplate,
  expandWord,
  expandWords,
  ShellLexError,
  type VariableLookup,
} from "./shell-lexer.js";

function lookupOf(entries: Record<string, string>): VariableLookup {
  return (name) => (Object.hasOwn(entries, name) ? entries[name] : undefined);
}

const backslash = { escape: "\\" } as const;

// BuildKit's lex_test.go TestShellParser4EnvVars: `platform | input | expected`, Unix platform.
describe("BuildKit envVarTest vectors", () => {
  const lookup = lookupOf({ PWD: "/home", SHELL: "bash", KOREAN: "한국어", NULL: "" });
  const cases = envVarTest
    .split("\n")
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => !line.startsWith("#") && line.trimStart() !== "")
    .map(({ line, number }) => {
      const fields = line.trimStart().split("|");
      expect(fields).toHaveLength(3);
      return { number, platform: fields[0]?.trim(), input: fields[1]?.trim() ?? "", expected: fields[2]?.trim() ?? "" };
    })
    .filter(({ platform }) => platform === "A" || platform === "U");
  it("has the vectors", () => expect(cases.length).toBe(228));
  for (const { number, input, expected } of cases) {
    it(`line ${number}: ${input}`, () => {
      if (expected === "error") expect(() => expandWord(input, lookup, backslash)).toThrow(ShellLexError);
      else expect(expandWord(input, lookup, backslash)).toEqual({ value: expected, kept: [] });
    });
  }
});

// BuildKit's lex_test.go TestShellParser4Words: `input | word,word`, `ENV name=value` lines add variables.
describe("BuildKit wordsTest vectors", () => {
  const environment: Record<string, string> = {};
  const cases: { number: number; input: string; expected: string[]; environment: Record<string, string> }[] = [];
  wordsTest.split("\n").forEach((line, index) => {
    if (line.startsWith("#") || line === "") return;
    if (line.startsWith("ENV ")) {
      const definition = line.slice(3).trimStart();
      const equals = definition.indexOf("=");
      environment[definition.slice(0, equals)] = definition.slice(equals + 1);
      return;
    }
    const fields = line.split("|");
    expect(fields).toHaveLength(2);
    cases.push({
      number: index + 1,
      input: fields[0]?.trim() ?? "",
      expected: (fields[1] ?? "").trimStart().split(","),
      environment: { ...environment },
    });
  });
  it("has the vectors", () => expect(cases.length).toBe(24));
  for (const { number, input, expected, environment } of cases) {
    it(`line ${number}: ${input}`, () => {
      const lookup = lookupOf(environment);
      if (expected.join(",") === "error") expect(() => expandWords(input, lookup, backslash)).toThrow(ShellLexError);
      else expect(expandWords(input, lookup, backslash)).toEqual({ words: expected, kept: [] });
    });
  }
});

describe("escapeTemplate", () => {
  it("expands to the literal as a word and as one word of a list", () => {
    for (const literal of ["", "a b", "$PATH", 'it\'s "x"', "back\\slash`tick", " lead", "}{$", "\ufeffbom"]) {
      for (const escapeCharacter of ["\\", "`"] as const) {
        const template = escapeTemplate(literal, escapeCharacter);
        expect(expandWord(template, lookupOf({ PATH: "/bin" }), { escape: escapeCharacter }).value).toBe(literal);
        expect(expandWords(template, lookupOf({ PATH: "/bin" }), { escape: escapeCharacter }).words).toEqual(
          literal === "" ? [] : [literal],
        );
      }
    }
  });
});

// Inputs we generated, with the answers of BuildKit's own lexer (see the vectors' README).
describe("BuildKit's answers to generated words", () => {
  const cases = generatedVectors
    .split("\n")
    .filter((line) => line !== "")
    .map(
      (line) =>
        JSON.parse(line) as {
          mode: "word" | "words";
          escape: "\\" | "`";
          quotes?: false;
          env: Record<string, string>;
          text: string;
          value?: string;
          words?: string[];
          error?: true;
        },
    );
  it("has the vectors", () => expect(cases.length).toBe(1004));
  cases.forEach((vector, index) => {
    it(`${index + 1}: ${vector.mode}${vector.quotes === false ? " (quotes off)" : ""} ${JSON.stringify(vector.text)}`, () => {
      const lookup = lookupOf(vector.env);
      const options = { escape: vector.escape, quotes: vector.quotes ?? true };
      const run = () =>
        vector.mode === "word"
          ? expandWord(vector.text, lookup, options).value
          : expandWords(vector.text, lookup, options).words;
      if (vector.error) expect(run).toThrow(ShellLexError);
      else expect(run()).toEqual(vector.mode === "word" ? vector.value : vector.words);
    });
  });
});

// Answers of BuildKit's lexer (checked by running it) for what the vectors above do not show.
describe("BuildKit's behaviour beyond its vectors", () => {
  const word = (text: string, environment: Record<string, string> = {}, escapeCharacter: "\\" | "`" = "\\") =>
    expandWord(text, lookupOf(environment), { escape: escapeCharacter }).value;
  const words = (text: string, environment: Record<string, string> = {}) =>
    expandWords(text, lookupOf(environment), backslash).words;

  it("trims prefixes and suffixes by shell patterns", () => {
    expect(word("${X%%.*}|${X%.*}|${X##*.}|${X#*.}", { X: "a.b.c" })).toBe("a|a.b|c|b.c");
    expect(word("${X/\\//:}", { X: "a/b/c" })).toBe("a:b/c");
    // A pattern is read afresh, so a byte order mark at its start is skipped.
    expect(word("${X#\ufeffa}", { X: "abc" })).toBe("bc");
    expect(() => word("${X#a\\}", { X: "a}" })).toThrow("missing '}'");
  });

  it("replaces as Go's regexp does: $0 in a replace-all, an empty match after a match ignored", () => {
    expect(word("${X//a/'<$0>'}", { X: "banana" })).toBe("b<a>n<a>n<a>");
    expect(word("${X/a/'<$0>'}", { X: "banana" })).toBe("b<$0>nana");
    expect(word("${X//*/y}", { X: "ab" })).toBe("y");
    expect(word("${X//'$$'/-}", { X: "a$$b" })).toBe("a-b");
  });

  it("clears the word being built when a ${V:-word} form is expanded (BuildKit shares one buffer)", () => {
    expect(words("a${V:-b}")).toEqual(["b"]);
    expect(words("8000-${END:-8010}/tcp")).toEqual(["8010/tcp"]);
  });

  it("keeps << and its blanks together, drops empty quotes, splits expanded values", () => {
    expect(words("<<  EOF x")).toEqual(["<<  EOF", "x"]);
    expect(words("'' \"\" x")).toEqual(["x"]);
    expect(words("$X$Y", { X: "a ", Y: " b" })).toEqual(["a", "b"]);
  });

  it("reads quotes as ordinary characters with quotes: false (COPY here-document bodies)", () => {
    const body = "port=$PORT\n'$PORT' \"$PORT\" \\$HOME \\n ${PORT:-'x'}\n";
    expect(expandWord(body, lookupOf({ PORT: "80" }), { escape: "\\", quotes: false }).value).toBe(
      "port=80\n'80' \"80\" $HOME n 80\n",
    );
  });

  it("reads Unicode digits as a positional parameter and honours the backtick escape", () => {
    expect(word("$١x", { "١": "d" })).toBe("dx");
    expect(word('`$X `"', { X: "v" }, "`")).toBe('$X "');
  });

  it("refuses ${V?} of an unset variable with its message, accepts a set empty one", () => {
    expect(() => word("${X:?must be set}")).toThrow("X: must be set");
    expect(word("${X?}", { X: "" })).toBe("");
  });

  it("says where the faulty construct starts", () => {
    const failure = (() => {
      try {
        word("ab ${X");
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(ShellLexError);
    expect((failure as ShellLexError).offset).toBe(3);
  });
});

describe("keep: undefined variables stay as a template", () => {
  const keep = { escape: "\\", unknown: "keep" } as const;
  const known = lookupOf({ A: "a", EMPTY: "", SPACE: "x y", DOLLAR: "$HOME" });

  it("re-emits a kept variable as written and escapes the literal text around it", () => {
    expect(expandWord("$PATH:/usr/local/bin", known, keep)).toEqual({ value: "$PATH:/usr/local/bin", kept: ["PATH"] });
    expect(expandWord("${HOME}/x", known, keep)).toEqual({ value: "${HOME}/x", kept: ["HOME"] });
    expect(expandWord("$DOLLAR:$HOME", known, keep)).toEqual({ value: "\\$HOME:$HOME", kept: ["HOME"] });
    expect(expandWord("${A:-$B}-${B:-$A}", known, keep)).toEqual({ value: "a-${B:-a}", kept: ["B"] });
    expect(expandWord("'$B'\\x$B", known, keep)).toEqual({ value: "\\$Bx$B", kept: ["B"] });
  });

  it("adds braces when a name character follows a bare $NAME", () => {
    expect(expandWord("$B'x'", known, keep)).toEqual({ value: "${B}x", kept: ["B"] });
  });

  it("gives the plain value when nothing is kept", () => {
    expect(expandWord("'$A' $A", known, keep)).toEqual({ value: "$A a", kept: [] });
    // A word that is dropped and cannot fail leaves nothing to keep.
    expect(expandWord("${A:-$B}", known, keep)).toEqual({ value: "a", kept: [] });
  });

  it("keeps double quotes around a kept value in a list, so that it is not split", () => {
    const first = expandWords('"$B $A" $B', known, keep);
    expect(first).toEqual({ words: ['"${B} a"', "$B"], kept: ["B"] });
    expect(first.words.flatMap((template) => expandWords(template, lookupOf({ B: "1 2" }), backslash).words)).toEqual([
      "1 2 a",
      "1",
      "2",
    ]);
  });

  it("leaves quotes alone when they are ordinary characters", () => {
    const options = { escape: "\\", unknown: "keep", quotes: false } as const;
    const first = expandWord("'$A' \"$HOME\" \\$A", known, options);
    expect(first).toEqual({ value: "'a' \"$HOME\" \\$A", kept: ["HOME"] });
    expect(expandWord(first.value, lookupOf({ HOME: "/root" }), { escape: "\\", quotes: false }).value).toBe(
      "'a' \"/root\" $A",
    );
    // escapeTemplate's escapes read the same either way.
    expect(expandWord(escapeTemplate('it\'s "$A"', "\\"), known, { escape: "\\", quotes: false }).value).toBe(
      'it\'s "$A"',
    );
  });

  it("refuses a pattern of a known variable that needs a kept one", () => {
    expect(() => expandWord("${A#$B}", known, keep)).toThrow(/before B is known/);
    expect(expandWord("${B#$A}", known, keep)).toEqual({ value: "${B#a}", kept: ["B"] });
  });

  it("keeps what may still fail: a ${V?} dropped by ${A:-...} stays as a guard", () => {
    const first = expandWord("${A:-${B?}}", known, keep);
    expect(first.kept).toEqual(["B"]);
    expect(expandWord(first.value, lookupOf({ B: "b" }), backslash).value).toBe("a");
    expect(() => expandWord(first.value, lookupOf({}), backslash)).toThrow(ShellLexError);
  });
});

// A small seeded generator of words rich in what the lexer treats specially.
function generator(seed: number) {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const names = ["X", "Y", "Z", "E", "B", "1", "@", "a"];
  const literals = [
    "a",
    "x",
    " ",
    "\t",
    "*",
    "?",
    "/",
    "}",
    ":",
    "-",
    "#",
    "%",
    "<<",
    "é",
    "\\",
    "`",
    "$",
    "'",
    '"',
    ".",
  ];
  const values = ["", "x", "x y", " lead", "*a/b", "$X", "\\", "'q'", "a.b.c", "}", '"', "`"];
  const literal = (escapeCharacter: string, context: string) => {
    const character = pick(literals);
    if (random() < 0.5 && "$'\"\\`} ".includes(character)) return escapeCharacter + character;
    if (context === "quoted" && (character === '"' || character === "$")) return escapeCharacter + character;
    if (context === "brace" && character === "}") return escapeCharacter + character;
    return character;
  };
  const expression = (escapeCharacter: string, depth: number): string => {
    const name = pick(names);
    const choice = random();
    if (choice < 0.2) return `$${name}`;
    if (choice < 0.35 || depth > 2) return `\${${name}}`;
    const nested = () => word(escapeCharacter, depth + 1, "brace");
    if (choice < 0.7) return `\${${name}${pick([":-", "-", ":+", "+", ":?", "?"])}${nested()}}`;
    if (choice < 0.85) return `\${${name}${pick(["#", "##", "%", "%%"])}${nested()}}`;
    return `\${${name}${pick(["/", "//"])}${word(escapeCharacter, depth + 1, "slash")}/${nested()}}`;
  };
  const word = (escapeCharacter: string, depth = 0, context = "top"): string => {
    let text = "";
    for (let count = Math.floor(random() * (depth > 0 ? 4 : 8)); count > 0; count--) {
      const choice = random();
      if (choice < 0.35) text += literal(escapeCharacter, context);
      else if (choice < 0.65) text += expression(escapeCharacter, depth);
      else if (choice < 0.75) text += `'${pick(["", "a b", "$X", "\\", '"', "}", "*"])}'`;
      else if (choice < 0.9) {
        let inner = "";
        for (let part = Math.floor(random() * 4); part > 0; part--) {
          inner += random() < 0.5 ? literal(escapeCharacter, "quoted") : expression(escapeCharacter, depth);
        }
        text += `"${inner}"`;
      } else text += context === "slash" ? "a" : pick([" ", "x", "*"]);
    }
    return text;
  };
  /** A word and two environments with no name in common. */
  return () => {
    const escapeCharacter = random() < 0.8 ? "\\" : "`";
    const first: Record<string, string> = {};
    const second: Record<string, string> = {};
    for (const name of names) {
      const choice = random();
      if (choice < 0.35) first[name] = pick(values);
      else if (choice < 0.7) second[name] = pick(values);
    }
    return { text: word(escapeCharacter), escape: escapeCharacter as "\\" | "`", first, second };
  };
}

type Outcome = { error: true } | { value: unknown };
function outcome(run: () => unknown): Outcome {
  try {
    return { value: run() };
  } catch (error) {
    if (error instanceof ShellLexError) return { error: true };
    throw error;
  }
}

describe("keep then complete equals one expansion with both environments", () => {
  const cases = 600;
  for (const [mode, quotes] of [
    ["word", true],
    ["words", true],
    ["word", false],
  ] as const) {
    it(`${mode}${quotes ? "" : " (quotes off)"}: ${cases} generated words`, () => {
      const next = generator(mode === "word" ? (quotes ? 7 : 13) : 11);
      let kept = 0;
      let refused = 0;
      for (let index = 0; index < cases; index++) {
        const { text, escape: escapeCharacter, first, second } = next();
        const both = lookupOf({ ...first, ...second });
        const keep = { escape: escapeCharacter, unknown: "keep", quotes } as const;
        const plain = { escape: escapeCharacter, quotes };
        const once = outcome(() =>
          mode === "word" ? expandWord(text, both, plain).value : expandWords(text, both, plain).words,
        );
        const twice = outcome(() => {
          if (mode === "word") {
            const template = expandWord(text, lookupOf(first), keep);
            if (template.kept.length > 0) kept++;
            return template.kept.length === 0
              ? template.value
              : expandWord(template.value, lookupOf(second), plain).value;
          }
          const template = expandWords(text, lookupOf(first), keep);
          if (template.kept.length > 0) kept++;
          return template.kept.length === 0
            ? template.words
            : template.words.flatMap((one) => expandWords(one, lookupOf(second), plain).words);
        });
        // The one documented refusal: a pattern applied to a known value cannot wait for a kept variable.
        if ("error" in twice && !("error" in once)) {
          expect(() =>
            mode === "word" ? expandWord(text, lookupOf(first), keep) : expandWords(text, lookupOf(first), keep),
          ).toThrow(/cannot (apply|keep) this pattern substitution/);
          refused++;
          continue;
        }
        expect(twice, `${mode} ${JSON.stringify(text)} ${JSON.stringify(first)} ${JSON.stringify(second)}`).toEqual(
          once,
        );
      }
      expect(kept).toBeGreaterThan(cases / 4);
      expect(refused).toBeLessThan(cases / 5);
    });
  }
});

describe("completeStep", () => {
  const location: DockerfileLocation = { file: "Dockerfile", line: 4, column: 1 };
  const image = lookupOf({ PATH: "/usr/bin:/bin", HOME: "/root", PORT: "8080", LAST: "9002", WHO: "app" });
  const config = (change: DockerfileConfigChange): DockerfileStep => ({ op: "config", location, change, late: true });
  const completed = (step: DockerfileStep) => completeStep(step, image, "\\");

  it("returns a step that is not late as it is", () => {
    const step: DockerfileStep = { op: "config", location, change: { keyword: "USER", user: "$WHO" }, late: false };
    expect(completeStep(step, image, "\\")).toBe(step);
  });

  it("expands the args of RUN, not its command", () => {
    const step: DockerfileStep = {
      op: "run",
      location,
      command: ["echo $HOME"],
      shellForm: true,
      shell: null,
      heredocs: [],
      args: [
        ["TOOLS", "$HOME/tools"],
        ["LITERAL", escapeTemplate("$HOME", "\\")],
      ],
      network: null,
      late: true,
    };
    expect(completed(step)).toEqual({
      ...step,
      args: [
        ["TOOLS", "/root/tools"],
        ["LITERAL", "$HOME"],
      ],
      late: false,
    });
  });

  it("expands the sources, destination and owner of COPY", () => {
    const step: DockerfileStep = {
      op: "copy",
      location,
      add: false,
      sources: ["app-${WHO}.conf", escapeTemplate("a b.txt", "\\")],
      heredocs: [],
      destination: "$HOME/",
      from: { type: "context" },
      chown: "${WHO}:${WHO}",
      chmod: null,
      link: false,
      late: true,
    };
    expect(completed(step)).toEqual({
      ...step,
      sources: ["app-app.conf", "a b.txt"],
      destination: "/root/",
      chown: "app:app",
      late: false,
    });
  });

  it("expands an unquoted here-document of COPY with quotes as characters and \\ as the escape", () => {
    const heredoc = (content: string, expand: boolean) => ({ name: "EOF", content, expand, chomp: false });
    const step: DockerfileStep = {
      op: "copy",
      location,
      add: false,
      sources: [],
      heredocs: [heredoc("home='$HOME' \\$WHO `$WHO\n", true), heredoc("$HOME\n", false)],
      destination: "/etc/app.conf",
      from: { type: "context" },
      chown: null,
      chmod: null,
      link: false,
      late: true,
    };
    // The Dockerfile's escape character (here `) does not apply to the body.
    expect(completeStep(step, image, "`")).toMatchObject({
      heredocs: [heredoc("home='/root' $WHO `app\n", true), heredoc("$HOME\n", false)],
      late: false,
    });
  });

  it("expands ENV and LABEL pairs, WORKDIR, USER, VOLUME and STOPSIGNAL", () => {
    const cases: [DockerfileConfigChange, DockerfileConfigChange][] = [
      [
        {
          keyword: "ENV",
          env: [
            ["PATH", "/opt/bin:$PATH"],
            [escapeTemplate("MY$", "\\"), "x"],
          ],
        },
        {
          keyword: "ENV",
          env: [
            ["PATH", "/opt/bin:/usr/bin:/bin"],
            ["MY$", "x"],
          ],
        },
      ],
      [
        {
          keyword: "LABEL",
          labels: [
            ["home", "${HOME}"],
            ["${WHO}.role", "web"],
          ],
        },
        {
          keyword: "LABEL",
          labels: [
            ["home", "/root"],
            ["app.role", "web"],
          ],
        },
      ],
      [
        { keyword: "WORKDIR", path: "$HOME/src" },
        { keyword: "WORKDIR", path: "/root/src" },
      ],
      [
        { keyword: "USER", user: "${WHO:-nobody}" },
        { keyword: "USER", user: "app" },
      ],
      [
        { keyword: "VOLUME", paths: ["$HOME/data", escapeTemplate("/var/lib/$x", "\\")] },
        { keyword: "VOLUME", paths: ["/root/data", "/var/lib/$x"] },
      ],
      [
        { keyword: "STOPSIGNAL", signal: "${SIGNAL:-SIGTERM}" },
        { keyword: "STOPSIGNAL", signal: "SIGTERM" },
      ],
    ];
    for (const [change, expected] of cases) {
      expect(completed(config(change))).toEqual({ op: "config", location, change: expected, late: false });
    }
  });

  it("splits and normalizes EXPOSE once the ports are known", () => {
    const step = config({ keyword: "EXPOSE", ports: ["${PORT}", "9000-${LAST}/udp", escapeTemplate("22/tcp", "\\")] });
    expect(completed(step)).toEqual({
      op: "config",
      location,
      change: { keyword: "EXPOSE", ports: ["8080/tcp", "9000/udp", "9001/udp", "9002/udp", "22/tcp"] },
      late: false,
    });
  });

  it("leaves CMD and other changes alone", () => {
    const change: DockerfileConfigChange = { keyword: "CMD", command: ["echo $HOME"], shellForm: true, shell: null };
    expect(completed(config(change))).toEqual({ op: "config", location, change, late: false });
  });

  it("fails with the step's place when a word fails only against the image", () => {
    expect(() => completed(config({ keyword: "WORKDIR", path: "${NOPE:?is needed}" }))).toThrow(
      "Dockerfile:4: NOPE: is needed",
    );
    expect(() => completed(config({ keyword: "EXPOSE", ports: ["$WHO"] }))).toThrow(StageBuildError);
  });

  it("uses the Dockerfile's escape character", () => {
    const step = config({ keyword: "WORKDIR", path: "`$HOME/$HOME" });
    expect(completeStep(step, image, "`")).toMatchObject({ change: { path: "$HOME//root" } });
  });
});
