/*
 * Sprig's list functions (list.go). Lists are never changed in place: every function returns a new
 * one, as Sprig copies. Functions that Sprig makes panic on a non-list (`first 3`) throw its message.
 */
import type { FunctionMap, GoFunction, GoValue } from "../model.js";
import { expectArity, intArgument } from "./arguments.js";
import { stringList } from "./convert.js";
import { castToInt, compareGoStrings, deepEqual, goKindName, isEmpty } from "./values.js";

/** The list argument of `name`, or Sprig's `Cannot <verb> on type <kind>` error. */
function listArgument(value: GoValue | undefined, message: string): GoValue[] {
  if (Array.isArray(value)) return value;
  if (value === null || value === undefined) throw new Error(`${message} on type invalid`);
  throw new Error(`${message} on type ${goKindName(value)}`);
}

function contains(list: readonly GoValue[], needle: GoValue): boolean {
  return list.some((item) => deepEqual(needle, item));
}

// Sprig's must* forms return the error its plain forms panic with: here both fail alike.
const mustForms = [
  "append",
  "push",
  "prepend",
  "first",
  "last",
  "rest",
  "initial",
  "reverse",
  "uniq",
  "compact",
  "without",
  "has",
  "slice",
  "chunk",
] as const;

/** Sprig's list functions (with their must* forms). */
export function listFunctions(): FunctionMap {
  const functions = plainListFunctions();
  const must = Object.fromEntries(
    mustForms.map((name) => [`must${name.charAt(0).toUpperCase()}${name.slice(1)}`, functions[name] as GoFunction]),
  );
  return { ...functions, ...must };
}

function plainListFunctions(): FunctionMap {
  const push = (args: readonly GoValue[], name: string) => {
    expectArity(name, args, 2);
    return [...listArgument(args[0], "Cannot push"), args[1] as GoValue];
  };
  return {
    list: (args) => [...args],
    tuple: (args) => [...args],
    append: (args, context) => push(args, context.name),
    push: (args, context) => push(args, context.name),
    prepend: (args, context) => {
      expectArity(context.name, args, 2);
      return [args[1] as GoValue, ...listArgument(args[0], "Cannot prepend")];
    },
    first: (args, context) => {
      expectArity(context.name, args, 1);
      const list = listArgument(args[0], "Cannot find first");
      return list.length === 0 ? null : (list[0] as GoValue);
    },
    last: (args, context) => {
      expectArity(context.name, args, 1);
      const list = listArgument(args[0], "Cannot find last");
      return list.length === 0 ? null : (list[list.length - 1] as GoValue);
    },
    rest: (args, context) => {
      expectArity(context.name, args, 1);
      // An empty list gives Go's nil slice, printed as [].
      return listArgument(args[0], "Cannot find rest").slice(1);
    },
    initial: (args, context) => {
      expectArity(context.name, args, 1);
      return listArgument(args[0], "Cannot find initial").slice(0, -1);
    },
    reverse: (args, context) => {
      expectArity(context.name, args, 1);
      return [...listArgument(args[0], "Cannot find reverse")].reverse();
    },
    uniq: (args, context) => {
      expectArity(context.name, args, 1);
      const unique: GoValue[] = [];
      for (const item of listArgument(args[0], "Cannot find uniq")) if (!contains(unique, item)) unique.push(item);
      return unique;
    },
    compact: (args, context) => {
      expectArity(context.name, args, 1);
      return listArgument(args[0], "Cannot compact").filter((item) => !isEmpty(item));
    },
    without: (args, context) => {
      expectArity(context.name, args, 1, true);
      const omit = args.slice(1);
      return listArgument(args[0], "Cannot find without").filter((item) => !contains(omit, item));
    },
    has: (args, context) => {
      expectArity(context.name, args, 2);
      const haystack = args[1] as GoValue;
      if (haystack === null) return false;
      return contains(listArgument(haystack, "Cannot find has"), args[0] as GoValue);
    },
    slice: (args, context) => {
      expectArity(context.name, args, 1, true);
      const value = args[0] as GoValue;
      if (!Array.isArray(value)) {
        throw new Error(`list should be type of slice or array but ${value === null ? "invalid" : goKindName(value)}`);
      }
      if (value.length === 0) return null;
      const start = args.length > 1 ? castToInt(args[1]) : 0;
      const end = args.length > 2 ? castToInt(args[2]) : value.length;
      if (start < 0 || end > value.length || start > end) {
        throw new Error(`reflect: slice index out of range`);
      }
      return value.slice(start, end);
    },
    concat: (args) => {
      const out: GoValue[] = [];
      for (const list of args) {
        if (!Array.isArray(list)) {
          throw new Error(`Cannot concat type ${list === null ? "invalid" : goKindName(list)} as list`);
        }
        out.push(...list);
      }
      return out;
    },
    chunk: (args, context) => {
      expectArity(context.name, args, 2);
      const size = intArgument(args[0]);
      const list = listArgument(args[1], "Cannot chunk type").slice();
      if (size <= 0) throw new Error("runtime error: integer divide by zero");
      const chunks: GoValue[] = [];
      for (let index = 0; index < list.length; index += size) chunks.push(list.slice(index, index + size));
      return chunks;
    },
    sortAlpha: (args, context) => {
      expectArity(context.name, args, 1);
      const value = args[0] as GoValue;
      if (!Array.isArray(value)) return stringList(value === null ? "<nil>" : value);
      return stringList(value).sort(compareGoStrings);
    },
    until: (args, context) => {
      expectArity(context.name, args, 1);
      const count = intArgument(args[0]);
      return untilStep(0, count, count < 0 ? -1 : 1);
    },
    untilStep: (args, context) => {
      expectArity(context.name, args, 3);
      return untilStep(intArgument(args[0]), intArgument(args[1]), intArgument(args[2]));
    },
  };
}

/** Sprig's untilStep: start up to (not including) stop by step; empty when step goes the wrong way. */
export function untilStep(start: number, stop: number, step: number): number[] {
  const out: number[] = [];
  if (stop < start) {
    if (step >= 0) return out;
    for (let index = start; index > stop; index += step) out.push(index);
    return out;
  }
  if (step <= 0) return out;
  for (let index = start; index < stop; index += step) out.push(index);
  return out;
}
