import { describe, expect, it } from "vitest";
import compareVectors from "../../test/vectors/go-template/compare.json" with { type: "json" };
import vectors from "../../test/vectors/go-template/exec.json" with { type: "json" };
import { GoArgumentError, TemplateError } from "./errors.js";
import { formatGoValue, goTypeName } from "./format.js";
import { createTemplateSet } from "./index.js";
import { type FunctionMap, GoFloat, type GoFunction, GoObject, type GoValue } from "./model.js";

/*
 * Go's own execTests (src/text/template/exec_test.go), extracted as data by running Go's table:
 * every case runs except those listed under `skipped` in exec.json, each with its reason.
 */

type Described =
  | string
  | boolean
  | { int: number }
  | { float: number }
  | { nil: true }
  | { slice: Described[] }
  | { map: Record<string, Described> }
  | { struct: string; fields: [string, Described][] }
  | { unsupported: string };

function argumentCount(name: string, want: number, args: readonly GoValue[]): void {
  if (args.length !== want)
    throw new GoArgumentError(`wrong number of args for ${name}: want ${want} got ${args.length}`);
}
function expectType(value: GoValue, type: "string" | "int"): void {
  const actual = goTypeName(value);
  if (actual !== type) throw new GoArgumentError(`wrong type for value; expected ${type}; got ${actual}`);
}

const methodsByType: Record<string, Record<string, GoFunction>> = {
  "main.T": {
    Method0: (args) => (argumentCount("Method0", 0, args), "M0"),
    Method1: (args) => {
      argumentCount("Method1", 1, args);
      expectType(args[0] as GoValue, "int");
      return args[0] as GoValue;
    },
    Method2: (args) => {
      argumentCount("Method2", 2, args);
      expectType(args[1] as GoValue, "string");
      return `Method2: ${formatGoValue(args[0] as GoValue)} ${args[1]}`;
    },
    Method3: (args) => (argumentCount("Method3", 1, args), `Method3: ${formatGoValue(args[0] as GoValue)}`),
    MAdd: (args) => {
      argumentCount("MAdd", 2, args);
      return (args[1] as number[]).map((value) => value + (args[0] as number));
    },
    MyError: (args) => {
      argumentCount("MyError", 1, args);
      if (args[0] === true) throw new Error("my error");
      return false;
    },
  },
  "main.U": {
    TrueFalse: (args) => (argumentCount("TrueFalse", 1, args), args[0] === true ? "true" : ""),
  },
};

const testFunctionFields: Record<string, GoValue> = {
  BinaryFunc: (args) => {
    argumentCount("BinaryFunc", 2, args);
    for (const arg of args) expectType(arg, "string");
    return `[${args[0]}=${args[1]}]`;
  },
  VariadicFunc: (args) => {
    for (const arg of args) expectType(arg, "string");
    return `<${args.join("+")}>`;
  },
  VariadicFuncInt: (args) => {
    if (args.length < 1)
      throw new GoArgumentError(`wrong number of args for VariadicFuncInt: want at least 1 got ${args.length}`);
    expectType(args[0] as GoValue, "int");
    for (const arg of args.slice(1)) expectType(arg, "string");
    return `${args[0]}=<${args.slice(1).join("+")}>`;
  },
  NilOKFunc: (args) => (argumentCount("NilOKFunc", 1, args), args[0] === null),
  ErrFunc: (args) => (argumentCount("ErrFunc", 0, args), "bla"),
  PanicFunc: () => {
    throw new Error("test panic");
  },
};

function toGoValue(described: Described): GoValue {
  if (typeof described === "string" || typeof described === "boolean") return described;
  if ("int" in described) return described.int;
  if ("float" in described) return new GoFloat(described.float);
  if ("nil" in described) return null;
  if ("slice" in described) return described.slice.map(toGoValue);
  if ("map" in described) return new Map(Object.entries(described.map).map(([key, value]) => [key, toGoValue(value)]));
  if ("struct" in described) {
    const fields = Object.fromEntries(described.fields.map(([name, value]) => [name, toGoValue(value)]));
    const methods: Record<string, GoFunction> = { ...methodsByType[described.struct] };
    if (described.struct === "main.T") {
      const self = (): GoObject => object;
      // The function-valued fields of T, recreated (the vectors cannot carry Go funcs).
      if ("BinaryFunc" in fields) Object.assign(fields, testFunctionFields);
      methods.GetU = (args) => (argumentCount("GetU", 0, args), fields.U ?? null);
      methods.Copy = (args) => (argumentCount("Copy", 0, args), self());
    }
    const object = new GoObject(described.struct, fields, methods);
    return object;
  }
  return new GoObject(`<unsupported ${described.unsupported}>`, {});
}

const functions: FunctionMap = {
  add: (args) => {
    let sum = 0;
    for (const arg of args) {
      expectType(arg, "int");
      sum += arg as number;
    }
    return sum;
  },
  dddArg: (args) => {
    if (args.length < 1)
      throw new GoArgumentError(`wrong number of args for dddArg: want at least 1 got ${args.length}`);
    expectType(args[0] as GoValue, "int");
    for (const arg of args.slice(1)) expectType(arg, "string");
    return `${args[0]} [${args.slice(1).join(" ")}]\n`;
  },
  die: () => {
    throw new Error("die");
  },
  echo: (args) => (argumentCount("echo", 1, args), args[0] as GoValue),
  makemap: (args) => {
    if (args.length % 2 !== 0) throw new Error("bad makemap");
    const map = new Map<string, GoValue>();
    for (let i = 0; i < args.length; i += 2) map.set(args[i] as string, args[i + 1] as GoValue);
    return map;
  },
  mapOfThree: () => new Map([["three", 3]]),
  oneArg: (args) => {
    argumentCount("oneArg", 1, args);
    expectType(args[0] as GoValue, "string");
    return `oneArg=${args[0]}`;
  },
  returnInt: () => 7,
  twoArgs: (args) => {
    argumentCount("twoArgs", 2, args);
    return `twoArgs=${args[0]}${args[1]}`;
  },
  typeOf: (args) => (argumentCount("typeOf", 1, args), goTypeName(args[0] as GoValue)),
  valueString: (args) => {
    argumentCount("valueString", 1, args);
    expectType(args[0] as GoValue, "string");
    return "value is ignored";
  },
  zeroArgs: (args) => (argumentCount("zeroArgs", 0, args), "zeroArgs"),
};

interface ExecCase {
  name: string;
  input: string;
  output: string;
  ok: boolean;
  data: Described | "$tVal" | "$tSliceOfNil" | null;
  goError?: string;
}

const tVal = toGoValue(vectors.tVal as Described);
const skipped = vectors.skipped as Record<string, string>;
const cases = vectors.cases as ExecCase[];

function data(testCase: ExecCase): GoValue {
  if (testCase.data === "$tVal") return tVal;
  if (testCase.data === "$tSliceOfNil") return [null];
  return testCase.data === null ? null : toGoValue(testCase.data);
}

function run(testCase: ExecCase): { output?: string; error?: unknown } {
  try {
    // Go's table repeats some names; the vectors number the repeats, Go's messages carry the name.
    const name = testCase.name.replace(/ #\d+$/, "");
    const set = createTemplateSet(functions);
    set.add({ file: name, text: testCase.input });
    return { output: set.execute(name, data(testCase)).text };
  } catch (error) {
    return { error };
  }
}

/** Go's error after its `template: name:line:col: ` prefix, which reads differently here (line:col, file). */
function goDetail(message: string): string {
  const executing = message.indexOf(': executing "');
  if (executing >= 0) return message.slice(executing + 2);
  return message.replace(/^template: [^:]*:\d+(:\d+)?: /, "");
}

const runnable = cases.filter((testCase) => skipped[testCase.name] === undefined);

describe("Go's execTests", () => {
  it("lists every skipped case with a reason, and runs all others", () => {
    for (const name of Object.keys(skipped)) expect(cases.some((testCase) => testCase.name === name)).toBe(true);
    expect(cases.length).toBe(318);
    expect(Object.keys(skipped).length).toBe(59);
    expect(runnable.length).toBe(259);
  });

  it.each(runnable.map((testCase) => [testCase.name, testCase] as const))("%s", (_name, testCase) => {
    const result = run(testCase);
    if (testCase.ok) {
      expect(result.error).toBeUndefined();
      expect(result.output).toBe(testCase.output);
    } else {
      expect(TemplateError.isInstance(result.error)).toBe(true);
      expect((result.error as TemplateError).detail).toBe(goDetail(testCase.goError ?? ""));
    }
  });
});

interface CompareCase {
  expr: string;
  truth: string;
  ok: boolean;
  goError?: string;
}

describe("Go's cmpTests (comparison functions)", () => {
  const compareSkipped = compareVectors.skipped as Record<string, string>;
  const compareCases = (compareVectors.cases as CompareCase[]).filter(
    (testCase) => compareSkipped[testCase.expr] === undefined,
  );
  const compareData = toGoValue(compareVectors.data as Described);
  it("runs all but the listed ones", () => {
    expect(compareVectors.cases.length).toBe(117);
    expect(Object.keys(compareSkipped).length).toBe(12);
    expect(compareCases.length).toBe(105);
  });
  it.each(compareCases.map((testCase) => [testCase.expr, testCase] as const))("%s", (_expr, testCase) => {
    const set = createTemplateSet({});
    let output = "";
    let error: unknown;
    try {
      set.add({ file: "empty", text: `{{if ${testCase.expr}}}true{{else}}false{{end}}` });
      output = set.execute("empty", compareData).text;
    } catch (caught) {
      error = caught;
    }
    if (testCase.goError === undefined) {
      expect(error).toBeUndefined();
      expect(output).toBe(testCase.truth);
    } else {
      expect((error as TemplateError).detail).toBe(goDetail(testCase.goError));
    }
  });
});
