import { describe, expect, it } from "vitest";
import { OutputTail } from "./output-tail.js";

describe("OutputTail", () => {
  it("keeps the last lines across chunks, the unterminated one included", () => {
    const tail = new OutputTail(3);
    tail.push("one\ntw");
    tail.push("o\nthree\r\nfour\nfi");
    expect(tail.lines()).toEqual(["three", "four", "fi"]);
    tail.push("ve\n");
    expect(tail.lines()).toEqual(["three", "four", "five"]);
  });

  it("clips very long lines", () => {
    const tail = new OutputTail(2, 5);
    tail.push(`${"x".repeat(50)}\nshort\n`);
    expect(tail.lines()).toEqual(["xxxxx…", "short"]);
  });

  it("is empty without output", () => {
    expect(new OutputTail().lines()).toEqual([]);
  });
});
