/*
 * Argument checks with text/template's messages. Go checks a function's arity and parameter types
 * before calling it (`wrong number of args for trunc: want 2 got 1`, `wrong type for value; expected
 * int; got string`); here each function checks its own, through these helpers, and throws
 * GoArgumentError, which exec reports as Go does (without `error calling X:`).
 */

import { GoArgumentError } from "../errors.js";
import { goTypeName } from "../format.js";
import { GoFloat, type GoValue } from "../model.js";

/** Checks the number of arguments: exactly `count`, or at least `count` when `variadic`. */
export function expectArity(name: string, args: readonly GoValue[], count: number, variadic = false): void {
  if (variadic ? args.length < count : args.length !== count) {
    throw new GoArgumentError(
      `wrong number of args for ${name}: want ${variadic ? "at least " : ""}${count} got ${args.length}`,
    );
  }
}

function wrongType(expected: string, value: GoValue): GoArgumentError {
  if (value === null) return new GoArgumentError(`invalid value; expected ${expected}`);
  return new GoArgumentError(`wrong type for value; expected ${expected}; got ${goTypeName(value)}`);
}

/** A `string` parameter. */
export function stringArgument(value: GoValue | undefined): string {
  if (typeof value === "string") return value;
  throw wrongType("string", value ?? null);
}

/** An `int` parameter (a float64 is refused, as Go refuses it). */
export function intArgument(value: GoValue | undefined): number {
  if (typeof value === "number") return value;
  throw wrongType("int", value ?? null);
}

/** A `float64` parameter (Go converts untyped integer constants; stages accepts any int). */
export function floatArgument(value: GoValue | undefined): number {
  if (typeof value === "number") return value;
  if (value instanceof GoFloat) return value.value;
  throw wrongType("float64", value ?? null);
}

/** A `bool` parameter. */
export function boolArgument(value: GoValue | undefined): boolean {
  if (typeof value === "boolean") return value;
  throw wrongType("bool", value ?? null);
}

/** A `map[string]interface{}` parameter; nil reads as an empty map, as Go's nil map. */
export function mapArgument(value: GoValue | undefined): Map<string, GoValue> {
  if (value instanceof Map) return value;
  if (value === null || value === undefined) return new Map();
  throw wrongType("map[string]interface {}", value);
}

/** An `interface{}` parameter: anything, nil included. */
export function anyArgument(value: GoValue | undefined): GoValue {
  return value === undefined ? null : value;
}
