import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { TemplateError } from "./errors.js";
import { createTemplateSet, type FunctionMap, GoFloat, GoObject, type GoValue, maxExecDepth } from "./index.js";

function render(text: string, data: GoValue = null, functions: FunctionMap = {}): string {
  const set = createTemplateSet(functions);
  set.add({ file: "werf.yaml", text });
  return set.execute("werf.yaml", data).text;
}

function failure(run: () => unknown): TemplateError {
  try {
    run();
  } catch (error) {
    if (TemplateError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a TemplateError");
}

const values = new Map<string, GoValue>([
  ["name", "app"],
  ["list", ["a", "b", "c"]],
  [
    "map",
    new Map<string, GoValue>([
      ["b", 2],
      ["a", 1],
    ]),
  ],
  ["zero", 0],
  ["nothing", null],
]);

describe("control structures beyond Go 1.19's tables", () => {
  it("ranges over an int (Go 1.22), with one variable, and refuses two", () => {
    expect(render("{{range 3}}{{.}}{{end}}|{{range $i := 2}}{{$i}}{{end}}|{{range 0}}x{{else}}none{{end}}")).toBe(
      "012|01|none",
    );
    expect(failure(() => render("{{range $i, $v := 3}}{{end}}")).detail).toBe(
      'executing "werf.yaml" at <3>: can\'t use 3 to iterate over more than one variable',
    );
  });
  it("has else with (Go 1.23) and else if chains", () => {
    const text = "{{with .nothing}}n{{else with .name}}{{.}}{{else}}none{{end}}";
    expect(render(text, values)).toBe("app");
    expect(render("{{if .zero}}a{{else if .nothing}}b{{else if .name}}c{{end}}", values)).toBe("c");
  });
  it("breaks and continues a range, only inside one", () => {
    expect(
      render('{{range .list}}{{if eq . "b"}}{{continue}}{{end}}{{if eq . "c"}}{{break}}{{end}}{{.}}{{end}}', values),
    ).toBe("a");
    expect(failure(() => render("{{if true}}{{break}}{{end}}")).message).toBe(
      "werf.yaml:1:14: {{break}} outside {{range}}",
    );
  });
  it("ranges over maps in key order with key and value", () => {
    expect(render("{{range $k, $v := .map}}{{$k}}={{$v}};{{end}}", values)).toBe("a=1;b=2;");
  });
  it("trims whitespace only with the space after the marker", () => {
    expect(render("a  {{- 1 -}}  b|{{-1}}|{{- /* c */ -}} |")).toBe("a1b|-1||");
  });
});

describe("values", () => {
  it("prints missing keys as <no value>, nil arguments as <nil>, floats as Go", () => {
    expect(
      render(
        "{{.missing}} {{.missing.deeper}} {{print .missing}} {{1.0}} {{1e6}} {{.f}}",
        new Map([["f", new GoFloat(0.5)]]),
      ),
    ).toBe("<no value> <no value> <nil> 1 1e+06 0.5");
  });
  it("reads fields and calls methods of objects, and names a missing field", () => {
    const commit = new GoObject("werf.Commit", { Hash: "abc" }, { Short: (args) => `short:${args.join(",")}` });
    const data = new Map<string, GoValue>([["Commit", commit]]);
    expect(render('{{.Commit.Hash}} {{.Commit.Short 1 "x"}}', data)).toBe("abc short:1,x");
    // Go names the static type of a value read from a map: interface {}; a value itself names its own.
    expect(failure(() => render("{{with .Commit}}{{.Date}}{{end}}", data)).detail).toBe(
      'executing "werf.yaml" at <.Date>: can\'t evaluate field Date in type werf.Commit',
    );
    expect(failure(() => render("{{.Commit.Date}}", data)).message).toBe(
      'werf.yaml:1:3: executing "werf.yaml" at <.Commit.Date>: can\'t evaluate field Date in type interface {}',
    );
  });
  it("compares as Go: many arguments to eq, no int against float, nil equals nothing else", () => {
    expect(render('{{eq .name "x" "app"}} {{eq .missing "x"}} {{lt 1 2}} {{ge "b" "a"}}', values)).toBe(
      "true false true true",
    );
    expect(failure(() => render("{{lt 1 1.5}}")).detail).toBe(
      'executing "werf.yaml" at <lt 1 1.5>: error calling lt: incompatible types for comparison',
    );
  });
  it("short-circuits and/or without evaluating the rest", () => {
    const functions: FunctionMap = {
      fail: () => {
        throw new Error("evaluated");
      },
    };
    expect(render('{{and 0 (fail)}} {{or 1 (fail)}} {{and 1 2}} {{or 0 ""}}', null, functions)).toBe("0 1 2 ");
  });
});

describe("errors", () => {
  it("are TemplateErrors (ConfigErrors) at file:line:col", () => {
    const error = failure(() => render("a\n  {{ foo }}"));
    expect(error.message).toBe('werf.yaml:2:6: function "foo" not defined');
    expect(error.position).toEqual({ file: "werf.yaml", line: 2, column: 6 });
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(error.code).toBe("CONFIG_INVALID");
  });
  it("read as Go's parse errors", () => {
    expect(failure(() => render("{{if}}")).detail).toBe("missing value for if");
    expect(failure(() => render("{{if .a}}")).detail).toBe("unexpected EOF");
    expect(failure(() => render("{{$x}}")).detail).toBe('undefined variable "$x"');
    expect(failure(() => render("{{1i}}")).detail).toMatch(/^complex number 1i is not supported by stages/);
    expect(failure(() => render('{{define "a"}}{{define "b"}}{{end}}{{end}}')).detail).toBe(
      "unexpected <define> in command",
    );
    expect(failure(() => render('{{define "a"}}x{{end}}{{define "a"}}y{{end}}')).detail).toBe(
      'template: multiple definition of template "a"',
    );
  });
  it("name the action and the function that failed", () => {
    const functions: FunctionMap = {
      required: (args) => {
        throw new Error(String(args[0]));
      },
    };
    expect(failure(() => render('x: {{ required "set X" .X }}', null, functions)).message).toBe(
      'werf.yaml:1:7: executing "werf.yaml" at <required "set X" .X>: error calling required: set X',
    );
  });
  it("stop a runaway recursion at the depth limit", () => {
    expect(maxExecDepth).toBe(300);
    expect(failure(() => render('{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}')).detail).toBe(
      `executing "r" at <{{template "r" .}}>: exceeded maximum template depth (${maxExecDepth})`,
    );
  });
});

describe("template sets", () => {
  it("share definitions between sources and report positions in the partial", () => {
    const set = createTemplateSet({});
    set.add({ file: ".werf/_helpers.tpl", text: '{{- define "name" -}}\nimage-{{ .x.y }}\n{{- end }}' });
    set.add({ file: "werf.yaml", text: 'image: {{ template "name" . }}\n' });
    expect(set.has("name")).toBe(true);
    expect(set.execute("werf.yaml", new Map([["x", new Map([["y", "z"]])]])).text).toBe("image: image-z\n");
    expect(failure(() => set.execute("werf.yaml", new Map([["x", 1]]))).message).toBe(
      '.werf/_helpers.tpl:2:10: executing "name" at <.x.y>: can\'t evaluate field y in type interface {}',
    );
  });
  it("let functions execute templates and text (include, tpl)", () => {
    const functions: FunctionMap = {
      include: (args, context) => context.executeTemplate(args[0] as string, args[1] ?? null),
      tpl: (args, context) => context.executeText(args[0] as string, args[1] ?? null),
    };
    const set = createTemplateSet(functions);
    set.add({
      file: "werf.yaml",
      text: '{{define "n"}}[{{.}}]{{end}}{{include "n" 1 | printf "%s!"}} {{tpl "{{.}}+" 2}}',
    });
    expect(set.execute("werf.yaml", null).text).toBe("[1]! 2+");
  });
  it("gives the template position of each output line", () => {
    const set = createTemplateSet({});
    set.add({ file: "werf.yaml", text: "a: 1\n{{ .v }}\n{{- range .l }}\n- {{ . }}{{ end }}\n" });
    const result = set.execute(
      "werf.yaml",
      new Map<string, GoValue>([
        ["v", "b: 2\nc: 3"],
        ["l", [1, 2]],
      ]),
    );
    expect(result.text).toBe("a: 1\nb: 2\nc: 3\n- 1\n- 2\n");
    expect(result.origins.map((position) => `${position.line}:${position.column}`)).toEqual([
      "1:1",
      "2:4",
      "2:4",
      "4:1",
      "4:1",
    ]);
  });
  it("executes an unknown name with a clear error", () => {
    const set = createTemplateSet({});
    expect(failure(() => set.execute("nope", null)).detail).toBe('no template "nope" is defined');
  });
});

describe("recursion through functions", () => {
  it("stops an include that includes itself with a TemplateError, not a stack overflow", () => {
    const functions: FunctionMap = {
      include: (args, context) => context.executeTemplate(args[0] as string, args[1] ?? null),
    };
    const error = failure(() => render('{{define "r"}}{{include "r" .}}{{end}}{{include "r" .}}', null, functions));
    expect(error.detail).toMatch(/exceeded maximum template depth \(300\)$/);
  });
});
