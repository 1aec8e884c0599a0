import { describe, expect, it } from "vitest";
import { imageErrors, validImage } from "./test-support.js";

const head = "image: app\nfrom: alpine\n";

describe("secrets", () => {
  it("defaults to no secrets", () => {
    expect(validImage(head).secrets).toEqual([]);
  });

  it("reads env, src and value secrets with werf's default ids", () => {
    const image = validImage(
      `${head}secrets:\n- env: NPM_TOKEN\n- env: AWS_KEY\n  id: aws\n- src: ./secrets/.npmrc\n- src: ~/.netrc\n  id: netrc\n- value: 12345\n  id: pin\n`,
    );
    expect(image.secrets).toEqual([
      {
        id: "NPM_TOKEN",
        source: { kind: "env", name: "NPM_TOKEN" },
        position: { file: "stages.yaml", line: 7, column: 3 },
      },
      { id: "aws", source: { kind: "env", name: "AWS_KEY" }, position: expect.objectContaining({ line: 8 }) },
      {
        id: ".npmrc",
        source: { kind: "src", path: "./secrets/.npmrc" },
        position: expect.objectContaining({ line: 10 }),
      },
      { id: "netrc", source: { kind: "src", path: "~/.netrc" }, position: expect.objectContaining({ line: 11 }) },
      // A number is taken as written, as werf's Go string field does.
      { id: "pin", source: { kind: "value", value: "12345" }, position: expect.objectContaining({ line: 13 }) },
    ]);
  });

  it("reports every wrong secret at its place, with a hint", () => {
    const errors = imageErrors(
      [
        head.trimEnd(),
        "secrets:",
        "- value: hunter2",
        "- env: A",
        "  src: ./b",
        "- id: lonely",
        "- env: TOKEN",
        "- src: ./other/TOKEN",
        "- value: x",
        "  id: a/b",
        "- env: ''",
        "- env: B",
        "  path: /x",
        "",
      ].join("\n"),
    );
    expect(errors).toEqual([
      "stages.yaml:7:3: a secret with value needs an id (add id: <name> (the file /run/secrets/<name>))",
      'stages.yaml:9:3: a secret comes from one of env, src and value: "src" conflicts with "env" (split it into two secrets)',
      "stages.yaml:10:3: a secret needs its value (add env: NAME, src: ./file or value: text)",
      'stages.yaml:12:3: duplicated secret "TOKEN" (the first is at line 11) (give each secret its own id:)',
      'stages.yaml:14:7: secrets.id "a/b" cannot contain a slash: it is a file name under /run/secrets (write a plain file name, e.g. id: npmrc)',
      "stages.yaml:15:8: secrets.env is empty (write env: NAME (an environment variable of the build host))",
      'stages.yaml:17:3: unknown key "path" under secrets (expected one of: env, src, value, id)',
    ]);
  });

  it("must be a list", () => {
    expect(imageErrors(`${head}secrets: {env: A}\n`)).toEqual([
      "stages.yaml:6:10: secrets must be a list of mappings, not a mapping (write secrets: [{env: NAME}, {src: ./file, id: name}, {value: text, id: name}])",
    ]);
  });
});
