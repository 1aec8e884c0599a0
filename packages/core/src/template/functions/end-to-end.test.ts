import { describe, expect, it } from "vitest";
import { createTemplateSet, TemplateError } from "../index.js";
import type { GoValue } from "../model.js";
import { sprigFunctions } from "./sprig.js";
import { werfFunctions } from "./werf.js";

/** Renders `text` as werf.yaml with Sprig's and werf's functions, as Sprig's tests' runt/runtv do. */
function render(
  text: string,
  data: GoValue = null,
  env: Record<string, string> = {},
  partials: Record<string, string> = {},
) {
  const set = createTemplateSet({ ...sprigFunctions(), ...werfFunctions({ env }) });
  for (const [file, partial] of Object.entries(partials)) set.add({ file, text: partial });
  set.add({ file: "werf.yaml", text });
  return set.execute("werf.yaml", data).text;
}

const dict = (...entries: [string, GoValue][]) => new Map<string, GoValue>(entries);

// Templates and outputs from Sprig v3.2.3's *_test.go (runt), run through stages' engine.
describe("Sprig functions in templates", () => {
  it.each<[string, string]>([
    ['{{ "foooooo" | trunc 3 }}', "foo"],
    ['{{ tuple "a" "b" "c" | join "-" }}', "a-b-c"],
    ['{{$v := "foo$bar$baz" | split "$"}}{{$v._0}}', "foo"],
    ['{{$b := "b"}}{{"c" | cat "a" $b}}', "a b c"],
    ["{{ toString 1 | kindOf }}", "string"],
    ["{{ $s := list 1 2 3 | toStrings }}{{ index $s 1 | kindOf }}", "string"],
    ["{{ list | first }}", "<no value>"],
    ["{{ list 1 2 3 | rest | first }}", "2"],
    ["{{ list | initial }}", "[]"],
    ['{{ regexSplit "/" "foo/bar/baz" -1 | initial }}', "[foo bar]"],
    ['{{ list 1 0 "" "hello" | compact }}', "[1 hello]"],
    ['{{ range ( tuple 1 2 3 4 5 6 7 8 | chunk 3 ) }}{{. | join "-"}}|{{end}}', "1-2-3|4-5-6|7-8|"],
    ['{{ dict "foo" 1 "bar" 2 | keys | sortAlpha }}', "[bar foo]"],
    ['{{ keys (dict "foo" 1) (dict "bar" 2) (dict "bar" 3) | uniq | sortAlpha }}', "[bar foo]"],
    ['{{$t := dict "I" "shot" "the" "albatross"}}{{$t.the}} {{$t.I}}', "albatross shot"],
    [
      '{{- $d := dict "one" 1 "two" 222222 -}}{{- $_ := set $d "two" 2 -}}{{- $_ := set $d "three" 3 -}}{{ $d.one }}{{ $d.two }}{{ $d.three }}',
      "123",
    ],
    ['{{- $d := dict "a" (dict "b" (dict "c" 1)) }}{{ dig "a" "b" "c" "" $d }}', "1"],
    ['{{"" | default "foo"}}', "foo"],
    ['{{ .Nothing | default "123" }}', "123"],
    ["{{ coalesce }}", "<no value>"],
    ['{{ coalesce "" 0 nil 2 }}', "2"],
    ['{{true | ternary "foo" "bar"}}', "foo"],
    ["{{range $i, $e := until 5}}{{$i}}{{$e}}{{end}}", "0011223344"],
    ["{{range $i, $e := untilStep 0 -10 -2}}{{$i}}{{$e}} {{end}}", "00 1-2 2-4 3-6 4-8 "],
    ["{{ 3 | add 1 2}}", "6"],
    ["{{ 3 | addf 1.5 2.2}}", "6.7"],
    ["{{ 2 | divf 5 4 }}", "0.625"],
    ['{{ 1 | mul "2" 3 "4"}}', "24"],
    ["{{ maxf 1 2 3 345.7 5 6 7}}", "345.7"],
    ["{{ round 123.5555 3 }}", "123.556"],
    ["{{seq 0 3 10}}", "0 3 6 9"],
    ['{{ semverCompare "^1.2.0" "1.2.3" }}', "true"],
    ['{{ $s := semver "1.2.3-beta.1+c0ff33" }}{{ $s.Prerelease }}', "beta.1"],
    ['{{ $s := semver "1.2.3-beta.1+c0ff33" }}{{ $s.Major}}', "1"],
    ['{{ semver "1.4.3" | (semver "1.2.3").Compare }}', "-1"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's replacement syntax, not a JavaScript template
    ['{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}', "-W-xxW-"],
    ['{{ "abc" | b64enc | b64dec }}', "abc"],
    ['{{ sha256sum "abc" | trunc 8 }}', "ba7816bf"],
    ['{{ "I Am Henry VIII" | replace " " "-" }}', "I-Am-Henry-VIII"],
    ['{{ $num := len "two" }}{{ $num | plural "1 char" "chars" }}', "chars"],
    ['{{ base "a/b/c.txt" }} {{ dir "a/b/c.txt" }} {{ ext "a/b/c.txt" }}', "c.txt a/b .txt"],
    ['{{ if hasKey (dict "a" 1) "a" }}yes{{ end }}', "yes"],
    ['{{ "fair catch" | contains "cat" }}', "true"],
    [
      "{{ typeOf 1 }} {{ typeOf 1.5 }} {{ typeOf list }} {{ typeOf dict }}",
      "int float64 []interface {} map[string]interface {}",
    ],
  ])("%s", (template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it("prints toYaml into a werf.yaml with nindent", () => {
    const template = 'docker:\n  ENV: {{ dict "B" "2" "A" "yes" "C" (list 1 "x") | toYaml | nindent 4 }}\n';
    expect(render(template)).toBe('docker:\n  ENV: \n    A: "yes"\n    B: "2"\n    C:\n    - 1\n    - x\n');
  });

  it("reads values with fromYaml and Files-like text", () => {
    const template = "{{ $v := .Text | fromYaml }}{{ $v.image.tag }} {{ $v.replicas | add1 }} {{ $v.enabled }}";
    expect(render(template, dict(["Text", "image:\n  tag: v1\nreplicas: 2\nenabled: yes\n"]))).toBe("v1 3 true");
  });

  it("reports an argument Go would refuse at the call, without error calling", () => {
    expect(() => render('{{ trunc "3" "abc" }}')).toThrowError(TemplateError);
    expect(() => render('{{ trunc "3" "abc" }}')).toThrow("wrong type for value; expected int; got string");
    try {
      render('{{ trunc "3" "abc" }}');
    } catch (error) {
      expect((error as TemplateError).message).not.toContain("error calling");
    }
  });

  it("reports a function's failure as error calling X at its position", () => {
    expect(() => render('line 1\n{{ fail "broken" }}')).toThrow(/werf\.yaml:2:\d+: .*error calling fail: broken/);
  });
});

// werf's documented uses of its functions in werf.yaml.
describe("werf functions in templates", () => {
  it("reads env with and without defaults", () => {
    const template = 'a: {{ env "A" }}\nb: {{ env "B" "default" }}\nc: "{{ env "C" }}"\n';
    expect(render(template, null, { A: "from-env" })).toBe('a: from-env\nb: default\nc: ""\n');
  });

  it("includes a partial defined in .werf templates", () => {
    const partials = {
      ".werf/_helpers.tmpl":
        '{{- define "base" }}image: {{ .name }}\nfrom: {{ .from | default "alpine:3.20" }}{{ end -}}',
    };
    const template =
      '{{ include "base" (dict "name" "app") }}\n---\n{{ include "base" (dict "name" "db" "from" "postgres:16") }}\n';
    expect(render(template, null, {}, partials)).toBe(
      "image: app\nfrom: alpine:3.20\n---\nimage: db\nfrom: postgres:16\n",
    );
  });

  it("renders text as a template with tpl", () => {
    expect(render('{{ tpl "{{ .a }}-{{ upper .b }}" (dict "a" "x" "b" "y") }}')).toBe("x-Y");
  });

  it("fails required with werf's message at the call", () => {
    expect(() => render('project: {{ required "project is required" .Project }}')).toThrow(
      /werf\.yaml:1:\d+: .*error calling required: project is required/,
    );
  });
});
