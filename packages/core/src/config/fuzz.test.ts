import { it, expect } from "vitest";
import { parseConfig } from "./parse-config.js";
import { readFileSync } from "node:fs";
const base = readFileSync(new URL("./parse-config.test.ts", import.meta.url), "utf8").split("const werfYaml = `")[1]!.split("`;")[0]!;
it("fuzz", { timeout: 200000 }, () => {
  let seed = 7;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  const alphabet = [":", "-", " ", "\n", "[", "]", "{", "}", "&a", "*a", "<<: *a", "---", "~", '"', "'", "\t", "#", "|", "x", "{{", "}}", "!!str ", "? ", ",", "image: ", "artifact: b\n", "fromImage: tools\n", "\n  "];
  for (let round = 0; round < 20000; round++) {
    let text = base;
    const edits = 1 + Math.floor(random() * 8);
    for (let edit = 0; edit < edits; edit++) {
      const at = Math.floor(random() * text.length);
      const cut = Math.floor(random() * 6);
      text = text.slice(0, at) + (alphabet[Math.floor(random() * alphabet.length)] ?? "") + text.slice(at + cut);
    }
    let result;
    try { result = parseConfig(text); } catch (error) { console.log(JSON.stringify(text)); throw error; }
    expect(result.config === null).toBe(result.errors.length > 0);
  }
});
it("merge bomb", () => {
  let text = "project: p\nconfigVersion: 1\n---\nimage: a\nfrom: x\nshell:\n  <<: &m0 {install: make}\n";
  const lines = ["m0: &m0 {install: make}"];
  for (let i = 1; i < 40; i++) lines.push(`m${i}: &m${i} {<<: [*m${i - 1}, *m${i - 1}]}`);
  text = `project: p\nconfigVersion: 1\n---\nimage: a\nfrom: x\nshell:\n  <<: &all\n${lines.map((l) => `    ${l}`).join("\n")}\n  setup: x\ndocker:\n  <<: *all\n`;
  const start = Date.now();
  const result = parseConfig(text);
  console.log(Date.now() - start, result.errors.slice(0, 3).map((p) => p.formatted));
});
