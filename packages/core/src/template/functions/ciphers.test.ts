import { describe, expect, it } from "vitest";
import { prepareWerfConfigFunctions } from "../render-config.js";
import { renderText as render } from "./test-support.js";

// Runs in order: AES and scrypt start unloaded in this file's module graph.
describe("AES and scrypt load only for configs that name them", () => {
  it("a config without them loads neither; encryptAES without preparation says what to do", async () => {
    await prepareWerfConfigFunctions({ text: 'project: x\nimage: {{ sha256sum "a" }}\n', partials: [] });
    expect(render('{{ encryptAES "key" "" }}')).toBe("");
    expect(() => render('{{ tpl "{{ encryptAES \\"key\\" \\"text\\" }}" . }}')).toThrow(
      "encryptAES needs AES or scrypt, which load before rendering only when the config or a partial names derivePassword, encryptAES or decryptAES",
    );
  });

  it("a partial naming derivePassword loads them before rendering", async () => {
    await prepareWerfConfigFunctions({
      text: '{{ include "password" . }}',
      partials: [
        { file: ".werf/p.tmpl", text: '{{ define "password" }}{{ derivePassword 1 "long" "p" "u" "s" }}{{ end }}' },
      ],
    });
    expect(render('{{ derivePassword 1 "long" "password" "user" "example.com" }}')).toBe("ZedaFaxcZaso9*");
    expect(render('{{ encryptAES "key" "text" | decryptAES "key" }}')).toBe("text");
  });
});
