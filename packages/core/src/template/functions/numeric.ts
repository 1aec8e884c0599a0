/*
 * Sprig's math (numeric.go, functions.go): integer math over spf13/cast's lenient conversions (a string
 * that is not a number is 0), float math through shopspring/decimal (so `addf 1.1 2.2` is 3.3, not
 * 3.3000000000000003), rounding and sequences.
 */

import { formatGoValue } from "../format.js";
import { type FunctionMap, GoFloat, type GoValue } from "../model.js";
import { expectArity, floatArgument, intArgument, stringArgument } from "./arguments.js";
import { untilStep } from "./lists.js";
import { castToFloat, castToInt, parseGoInteger } from "./values.js";

/** A decimal: digits × 10^-scale. */
interface Decimal {
  digits: bigint;
  scale: number;
}

/** decimal.NewFromFloat: the shortest decimal that reads back as the float. */
function decimalFromFloat(value: number): Decimal {
  if (!Number.isFinite(value)) throw new Error(`Cannot create a Decimal from ${value}`);
  const [mantissa = "0", exponentText] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const [whole = "0", fraction = ""] = mantissa.replace("-", "").split(".");
  const digits = BigInt(whole + fraction) * (negative ? -1n : 1n);
  const scale = fraction.length - exponent;
  return scale >= 0 ? { digits, scale } : { digits: digits * 10n ** BigInt(-scale), scale: 0 };
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.digits * 10n ** BigInt(scale - a.scale), b.digits * 10n ** BigInt(scale - b.scale), scale];
}

function decimalToFloat(value: Decimal): number {
  const negative = value.digits < 0n;
  const text = (negative ? -value.digits : value.digits).toString().padStart(value.scale + 1, "0");
  const point = text.length - value.scale;
  return Number(`${negative ? "-" : ""}${text.slice(0, point)}.${text.slice(point) || "0"}`);
}

// decimal.DivisionPrecision: quotients keep 16 digits after the point, rounded half away from zero.
const divisionPrecision = 16;

const decimalOperations = {
  add: (a: Decimal, b: Decimal): Decimal => {
    const [x, y, scale] = align(a, b);
    return { digits: x + y, scale };
  },
  sub: (a: Decimal, b: Decimal): Decimal => {
    const [x, y, scale] = align(a, b);
    return { digits: x - y, scale };
  },
  mul: (a: Decimal, b: Decimal): Decimal => ({ digits: a.digits * b.digits, scale: a.scale + b.scale }),
  div: (a: Decimal, b: Decimal): Decimal => {
    if (b.digits === 0n) throw new Error("decimal division by 0");
    const [x, y] = align(a, b);
    const scaled = x * 10n ** BigInt(divisionPrecision + 1);
    let quotient = scaled / y;
    const negative = quotient < 0n;
    const last = (negative ? -quotient : quotient) % 10n;
    quotient /= 10n;
    if (last >= 5n) quotient += negative ? -1n : 1n;
    return { digits: quotient, scale: divisionPrecision };
  },
};

function decimalFold(first: GoValue, rest: readonly GoValue[], operation: keyof typeof decimalOperations): GoFloat {
  let result = decimalFromFloat(castToFloat(first));
  for (const value of rest) result = decimalOperations[operation](result, decimalFromFloat(castToFloat(value)));
  return new GoFloat(decimalToFloat(result));
}

/** Go's int64 division (truncating); Go panics on a zero divisor. */
function integerDivide(a: number, b: number, remainder: boolean): number {
  if (b === 0) throw new Error("runtime error: integer divide by zero");
  return remainder ? a % b : Math.trunc(a / b);
}

/** Sprig's round: `places` decimal places, up from `roundOn` (0.5). */
export function roundFloat(value: number, places: number, roundOn = 0.5): number {
  const power = 10 ** places;
  const scaled = power * value;
  const fraction = scaled - Math.trunc(scaled);
  return (fraction >= roundOn ? Math.ceil(scaled) : Math.floor(scaled)) / power;
}

/** Sprig's seq: `seq END`, `seq START END`, `seq START STEP END`, as a space-separated string. */
function sequence(params: readonly number[]): string {
  let increment = 1;
  if (params.length === 1) {
    const end = params[0] as number;
    if (end < 1) increment = -1;
    return untilStep(1, end + increment, increment).join(" ");
  }
  if (params.length === 2) {
    const [start, end] = params as [number, number];
    const step = end < start ? -1 : 1;
    return untilStep(start, end + step, step).join(" ");
  }
  if (params.length === 3) {
    const [start, step, end] = params as [number, number, number];
    if (end < start) {
      increment = -1;
      if (step > 0) return "";
    }
    return untilStep(start, end + increment, step).join(" ");
  }
  return "";
}

/** strconv.Atoi (base 10), 0 on failure as Sprig's wrapper. */
function atoi(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) return 0;
  const value = Number(text);
  return Number.isSafeInteger(value) || Math.abs(value) < 2 ** 63 ? value : 0;
}

/** Sprig's math functions. */
export function numericFunctions(): FunctionMap {
  const unaryInt =
    (convert: (value: GoValue) => number): FunctionMap[string] =>
    (args, context) => {
      expectArity(context.name, args, 1);
      return convert(args[0] as GoValue);
    };
  return {
    atoi: (args, context) => {
      expectArity(context.name, args, 1);
      return atoi(stringArgument(args[0]));
    },
    int: unaryInt(castToInt),
    int64: unaryInt(castToInt),
    float64: (args, context) => {
      expectArity(context.name, args, 1);
      return new GoFloat(castToFloat(args[0]));
    },
    toDecimal: unaryInt((value) => {
      // strconv.ParseInt(fmt.Sprint(v), 8, 64).
      const text = typeof value === "string" ? value : formatGoValue(value);
      if (!/^[+-]?[0-7]+$/.test(text)) return 0;
      const magnitude = parseGoInteger(`0o${text.replace(/^[+-]/, "")}`) ?? 0;
      return text.startsWith("-") ? -magnitude : magnitude;
    }),
    add1: unaryInt((value) => castToInt(value) + 1),
    add: (args) => args.reduce<number>((sum, value) => sum + castToInt(value), 0),
    sub: (args, context) => {
      expectArity(context.name, args, 2);
      return castToInt(args[0]) - castToInt(args[1]);
    },
    div: (args, context) => {
      expectArity(context.name, args, 2);
      return integerDivide(castToInt(args[0]), castToInt(args[1]), false);
    },
    mod: (args, context) => {
      expectArity(context.name, args, 2);
      return integerDivide(castToInt(args[0]), castToInt(args[1]), true);
    },
    mul: (args, context) => {
      expectArity(context.name, args, 1, true);
      return args.slice(1).reduce<number>((product, value) => product * castToInt(value), castToInt(args[0]));
    },
    max: (args, context) => {
      expectArity(context.name, args, 1, true);
      return Math.max(...args.map(castToInt));
    },
    biggest: (args, context) => {
      expectArity(context.name, args, 1, true);
      return Math.max(...args.map(castToInt));
    },
    min: (args, context) => {
      expectArity(context.name, args, 1, true);
      return Math.min(...args.map(castToInt));
    },
    maxf: (args, context) => {
      expectArity(context.name, args, 1, true);
      return new GoFloat(Math.max(...args.map(castToFloat)));
    },
    minf: (args, context) => {
      expectArity(context.name, args, 1, true);
      return new GoFloat(Math.min(...args.map(castToFloat)));
    },
    add1f: (args, context) => {
      expectArity(context.name, args, 1);
      return decimalFold(args[0] as GoValue, [1], "add");
    },
    addf: (args) => decimalFold(new GoFloat(0), args, "add"),
    subf: (args, context) => {
      expectArity(context.name, args, 1, true);
      return decimalFold(args[0] as GoValue, args.slice(1), "sub");
    },
    mulf: (args, context) => {
      expectArity(context.name, args, 1, true);
      return decimalFold(args[0] as GoValue, args.slice(1), "mul");
    },
    divf: (args, context) => {
      expectArity(context.name, args, 1, true);
      return decimalFold(args[0] as GoValue, args.slice(1), "div");
    },
    ceil: (args, context) => {
      expectArity(context.name, args, 1);
      return new GoFloat(Math.ceil(castToFloat(args[0])));
    },
    floor: (args, context) => {
      expectArity(context.name, args, 1);
      return new GoFloat(Math.floor(castToFloat(args[0])));
    },
    round: (args, context) => {
      expectArity(context.name, args, 2, true);
      // round(a, places, roundOn ...float64): the first of the optional floats counts.
      const options = args.slice(2).map(floatArgument);
      const roundOn = options[0] ?? 0.5;
      return new GoFloat(roundFloat(castToFloat(args[0]), intArgument(args[1]), roundOn));
    },
    seq: (args) => sequence(args.map(intArgument)),
  };
}
