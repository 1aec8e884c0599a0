/*
 * Sprig's defaults, flow and reflection functions (defaults.go, reflect.go): `default`, `empty`,
 * `coalesce`, `all`, `any`, `ternary`, `fail`, `typeOf`, `kindOf`, `deepEqual`.
 */
import { goTypeName } from "../format.js";
import type { FunctionMap, GoValue } from "../model.js";
import { boolArgument, expectArity, stringArgument } from "./arguments.js";
import { deepEqual, goKindName, isEmpty } from "./values.js";

/** Sprig's defaults, flow control and reflection functions. */
export function defaultFunctions(): FunctionMap {
  return {
    default: (args, context) => {
      expectArity(context.name, args, 1, true);
      const given = args[1];
      return given === undefined || isEmpty(given) ? (args[0] as GoValue) : given;
    },
    empty: (args, context) => {
      expectArity(context.name, args, 1);
      return isEmpty(args[0]);
    },
    coalesce: (args) => args.find((value) => !isEmpty(value)) ?? null,
    all: (args) => args.every((value) => !isEmpty(value)),
    any: (args) => args.some((value) => !isEmpty(value)),
    ternary: (args, context) => {
      expectArity(context.name, args, 3);
      return boolArgument(args[2]) ? (args[0] as GoValue) : (args[1] as GoValue);
    },
    fail: (args, context) => {
      expectArity(context.name, args, 1);
      throw new Error(stringArgument(args[0]));
    },
    typeOf: (args, context) => {
      expectArity(context.name, args, 1);
      return goTypeName(args[0] as GoValue);
    },
    typeIs: (args, context) => {
      expectArity(context.name, args, 2);
      return stringArgument(args[0]) === goTypeName(args[1] as GoValue);
    },
    typeIsLike: (args, context) => {
      expectArity(context.name, args, 2);
      const target = stringArgument(args[0]);
      const type = goTypeName(args[1] as GoValue);
      return type === target || type === `*${target}`;
    },
    kindOf: (args, context) => {
      expectArity(context.name, args, 1);
      return goKindName(args[0] as GoValue);
    },
    kindIs: (args, context) => {
      expectArity(context.name, args, 2);
      return stringArgument(args[0]) === goKindName(args[1] as GoValue);
    },
    deepEqual: (args, context) => {
      expectArity(context.name, args, 2);
      return deepEqual(args[0] as GoValue, args[1] as GoValue);
    },
  };
}
