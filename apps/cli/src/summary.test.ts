import type { ProcedureResult, Signature } from "@stages/core";
import { describe, expect, it } from "vitest";
import { summarizeProcedure } from "./summary.js";

const signature = (letter: string) => letter.repeat(64) as Signature;

describe("summarizeProcedure", () => {
  it("says which stages a build --push pushed, and which another host pushed first", () => {
    const result: ProcedureResult = {
      images: [
        {
          name: "app",
          stages: [
            { name: "from", signature: signature("a"), action: "pulled", pushed: false },
            { name: "install", signature: signature("b"), action: "built", pushed: true },
            { name: "setup", signature: signature("c"), action: "built", pushed: false, adopted: true },
          ],
        },
      ],
    } as ProcedureResult;
    expect(summarizeProcedure(result).split("\n")).toEqual([
      "app:",
      "  from                   aaaaaaaaaaaa  pulled",
      "  install                bbbbbbbbbbbb  built, pushed",
      "  setup                  cccccccccccc  built (another host pushed it first)",
    ]);
  });
});
