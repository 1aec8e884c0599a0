import { describe, expect, it } from "vitest";
import { loadConfigOrThrow } from "../config/index.js";
import { ConfigError } from "../errors.js";
import { loadDockerfiles } from "./load.js";

const yaml =
  "project: taxi\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\n---\nimage: web\ndockerfile: web/Dockerfile\n";

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  try {
    await loadDockerfiles(loadConfigOrThrow(yaml, { file: "stages.yaml" }).config, {
      read: async (path) => files[path] ?? null,
    });
  } catch (error) {
    if (ConfigError.isInstance(error))
      return error.problems.map((problem) => problem.formatted.replace(/ \(.*\)$/, ""));
    throw error;
  }
  throw new Error("no error");
}

describe("loadDockerfiles", () => {
  it("reports every problem of every Dockerfile at once: the parser's and the evaluation's, in file order", async () => {
    const problems = await problemsOf({
      Dockerfile: "FROM a\nRUN --mount=type=bind,target=/x echo hi\nCOPY --parents a /b\n",
      "web/Dockerfile": "FROM a\nRUNN make\nWORKDIR\n",
    });
    expect(problems).toEqual([
      "Dockerfile:2:5: RUN --mount=type=bind,target=/x: type=bind is not supported by stages yet",
      "Dockerfile:3:6: COPY --parents is not supported",
      "web/Dockerfile:2:1: unknown instruction RUNN",
      "web/Dockerfile:3:1: WORKDIR needs an argument",
    ]);
  });
});
