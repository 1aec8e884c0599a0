import { describe, expect, it } from "vitest";
import { prepareWerfConfigFunctions } from "../render-config.js";
import { renderText as render } from "./test-support.js";

// Runs in order: the curves start unloaded in this file's module graph.
describe("the elliptic curves load only for configs that may need them", () => {
  it("RSA keys and certificates need none; an ECDSA key without preparation says what to do", async () => {
    await prepareWerfConfigFunctions({ text: "project: x\nimage: {{ .Env }}\n", partials: [] });
    expect(render('{{ genPrivateKey "rsa2" }}')).toBe("Unknown type rsa2");
    expect(() => render('{{ tpl "{{ genPrivateKey \\"ecdsa\\" }}" . }}')).toThrow(
      "genPrivateKey needs the elliptic curves, which load before rendering only when the config or a partial names genPrivateKey",
    );
  });

  it("a partial naming genPrivateKey loads them before rendering", async () => {
    await prepareWerfConfigFunctions({
      text: '{{ include "key" . }}',
      partials: [{ file: ".werf/keys.tmpl", text: '{{ define "key" }}{{ genPrivateKey "ecdsa" }}{{ end }}' }],
    });
    expect(render('{{ genPrivateKey "ecdsa" }}')).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
  });
});
