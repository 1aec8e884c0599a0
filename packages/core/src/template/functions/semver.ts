/*
 * Masterminds/semver v3.2.0 (the version Sprig v3.2.3 links) for Sprig's `semver` and `semverCompare`:
 * NewVersion's lenient parsing (`v1`, `1.2`), and constraints with its operators (=, !=, >, <, >=, <=,
 * =>, =<, ~, ~>, ^), x-ranges (1.2.x, *), hyphen ranges (1 - 2), AND by space or comma, OR by ||, and
 * its prerelease rule: a prerelease version satisfies only a constraint that names a prerelease.
 */
import { type FunctionMap, GoObject, type GoValue } from "../model.js";
import { expectArity, stringArgument } from "./arguments.js";

/** A parsed semantic version. */
export interface SemanticVersion {
  major: bigint;
  minor: bigint;
  patch: bigint;
  prerelease: string;
  metadata: string;
  original: string;
}

const versionPattern =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

/** semver.NewVersion: a version or Masterminds' error message. */
export function parseSemanticVersion(text: string): SemanticVersion {
  const match = versionPattern.exec(text);
  if (match === null) throw new Error("Invalid Semantic Version");
  const segment = (value: string | undefined) => {
    const digits = (value ?? "").replace(/^\./, "");
    const parsed = digits === "" ? 0n : BigInt(digits);
    if (parsed > 18446744073709551615n) {
      throw new Error(`Error parsing version segment: strconv.ParseUint: parsing "${digits}": value out of range`);
    }
    return parsed;
  };
  const version = {
    major: segment(match[1]),
    minor: segment(match[2]),
    patch: segment(match[3]),
    prerelease: match[5] ?? "",
    metadata: match[8] ?? "",
    original: text,
  };
  for (const part of version.prerelease === "" ? [] : version.prerelease.split(".")) {
    if (/^[0-9]+$/.test(part) && part.length > 1 && part.startsWith("0"))
      throw new Error("Version segment starts with 0");
  }
  return version;
}

/** The version as Masterminds' String(): without a leading v. */
export function formatSemanticVersion(version: SemanticVersion): string {
  let text = `${version.major}.${version.minor}.${version.patch}`;
  if (version.prerelease !== "") text += `-${version.prerelease}`;
  if (version.metadata !== "") text += `+${version.metadata}`;
  return text;
}

function compareNumbers(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePrereleasePart(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return -1;
  if (b === "") return 1;
  const aNumber = /^[0-9]+$/.test(a);
  const bNumber = /^[0-9]+$/.test(b);
  if (!aNumber && !bNumber) return a > b ? 1 : -1;
  if (!bNumber) return -1;
  if (!aNumber) return 1;
  return BigInt(a) > BigInt(b) ? 1 : -1;
}

function comparePrerelease(a: string, b: string): number {
  const left = a.split(".");
  const right = b.split(".");
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = comparePrereleasePart(left[index] ?? "", right[index] ?? "");
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Version.Compare: -1, 0 or 1 (metadata ignored). */
export function compareSemanticVersions(a: SemanticVersion, b: SemanticVersion): number {
  const core = compareNumbers(a.major, b.major) || compareNumbers(a.minor, b.minor) || compareNumbers(a.patch, b.patch);
  if (core !== 0) return core;
  if (a.prerelease === "" && b.prerelease === "") return 0;
  if (a.prerelease === "") return 1;
  if (b.prerelease === "") return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

interface Constraint {
  operator: string;
  version: SemanticVersion;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const operators = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`;
const constraintVersion =
  String.raw`v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?` +
  String.raw`(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?` +
  String.raw`(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;
const constraintPattern = new RegExp(String.raw`^\s*(${operators})\s*(${constraintVersion})\s*$`);
const rangePattern = new RegExp(String.raw`\s*(${constraintVersion})\s+-\s+(${constraintVersion})\s*`, "g");
const findPattern = new RegExp(String.raw`(${operators})\s*(${constraintVersion})`, "g");
const validPattern = new RegExp(
  String.raw`^(\s*(${operators})\s*(${constraintVersion})\s*)((?:\s+|,\s*)(${operators})\s*(${constraintVersion})\s*)*$`,
);

function isX(text: string): boolean {
  return text === "x" || text === "X" || text === "*";
}

function parseConstraint(text: string): Constraint {
  if (text === "") {
    return { operator: "", version: parseSemanticVersion("0.0.0"), dirty: true, minorDirty: false, patchDirty: false };
  }
  const match = constraintPattern.exec(text);
  if (match === null) throw new Error(`improper constraint: ${text}`);
  const [, operator = "", original = "", major = "", minor = "", patch = "", prerelease = ""] = match;
  let version = original;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major) || major === "") {
    version = `0.0.0${prerelease}`;
    dirty = true;
  } else if (isX(minor.replace(/^\./, "")) || minor === "") {
    minorDirty = true;
    dirty = true;
    version = `${major}.0.0${prerelease}`;
  } else if (isX(patch.replace(/^\./, "")) || patch === "") {
    dirty = true;
    patchDirty = true;
    version = `${major}${minor}.0${prerelease}`;
  }
  let parsed: SemanticVersion;
  try {
    parsed = parseSemanticVersion(version);
  } catch {
    throw new Error("constraint Parser Error");
  }
  return { operator, version: { ...parsed, original }, dirty, minorDirty, patchDirty };
}

/** semver.NewConstraint: OR groups of AND-ed constraints. */
export function parseSemanticConstraint(text: string): Constraint[][] {
  const rewritten = text.replace(
    rangePattern,
    (_whole, from: string, ...rest: string[]) => `>= ${from}, <= ${rest[9]}`,
  );
  return rewritten.split("||").map((group) => {
    if (!validPattern.test(group)) throw new Error(`improper constraint: ${group}`);
    const found = group.match(findPattern) ?? [group];
    return found.map(parseConstraint);
  });
}

function checkConstraint(version: SemanticVersion, constraint: Constraint): boolean {
  const target = constraint.version;
  // A prerelease version is only compatible with a constraint that names a prerelease (issue 21).
  if (version.prerelease !== "" && target.prerelease === "") return false;
  const compare = () => compareSemanticVersions(version, target);
  const tilde = () => {
    if (compare() < 0) return false;
    if (
      target.major === 0n &&
      target.minor === 0n &&
      target.patch === 0n &&
      !constraint.minorDirty &&
      !constraint.patchDirty
    ) {
      return true;
    }
    if (version.major !== target.major) return false;
    return !(version.minor !== target.minor && !constraint.minorDirty);
  };
  switch (constraint.operator) {
    case "":
    case "=":
      return constraint.dirty ? tilde() : compare() === 0;
    case "!=":
      if (constraint.dirty) {
        if (version.major !== target.major) return true;
        if (version.minor !== target.minor && !constraint.minorDirty) return true;
        if (constraint.minorDirty) return false;
        if (version.patch !== target.patch && !constraint.patchDirty) return true;
        if (constraint.patchDirty) {
          if (version.prerelease !== "" || target.prerelease !== "") {
            return comparePrerelease(version.prerelease, target.prerelease) !== 0;
          }
          return false;
        }
      }
      return compare() !== 0;
    case ">":
      if (!constraint.dirty) return compare() === 1;
      if (version.major > target.major) return true;
      if (version.major < target.major || constraint.minorDirty) return false;
      if (constraint.patchDirty) return version.minor > target.minor;
      return compare() === 1;
    case "<":
      return compare() < 0;
    case ">=":
    case "=>":
      return compare() >= 0;
    case "<=":
    case "=<":
      if (!constraint.dirty) return compare() <= 0;
      if (version.major > target.major) return false;
      return !(version.major === target.major && version.minor > target.minor && !constraint.minorDirty);
    case "~":
    case "~>":
      return tilde();
    case "^":
      if (compare() < 0) return false;
      if (target.major > 0n || constraint.minorDirty) return version.major === target.major;
      if (version.major > 0n) return false;
      if (target.minor > 0n || constraint.patchDirty) return version.minor === target.minor;
      if (version.minor > 0n) return false;
      return version.patch === target.patch;
    default:
      return false;
  }
}

/** Constraints.Check: some OR group whose constraints all hold. */
export function satisfiesConstraint(groups: readonly Constraint[][], version: SemanticVersion): boolean {
  return groups.some((group) => group.every((constraint) => checkConstraint(version, constraint)));
}

const parsedVersions = new WeakMap<GoObject, SemanticVersion>();

/** The `*semver.Version` object `semver` returns: Major, Minor, Patch, Prerelease, Metadata, Original, String, Compare. */
function versionObject(version: SemanticVersion): GoObject {
  const text = formatSemanticVersion(version);
  const asNumber = (value: bigint) => Number(value);
  const other = (value: GoValue | undefined): SemanticVersion => {
    const parsed = value instanceof GoObject ? parsedVersions.get(value) : undefined;
    if (parsed === undefined) throw new Error("wrong type for value; expected *semver.Version");
    return parsed;
  };
  const object = new GoObject(
    "*semver.Version",
    {},
    {
      Major: () => asNumber(version.major),
      Minor: () => asNumber(version.minor),
      Patch: () => asNumber(version.patch),
      Prerelease: () => version.prerelease,
      Metadata: () => version.metadata,
      Original: () => version.original,
      String: () => text,
      Compare: (args) => compareSemanticVersions(version, other(args[0])),
      LessThan: (args) => compareSemanticVersions(version, other(args[0])) < 0,
      GreaterThan: (args) => compareSemanticVersions(version, other(args[0])) > 0,
      Equal: (args) => compareSemanticVersions(version, other(args[0])) === 0,
    },
  );
  parsedVersions.set(object, version);
  return object;
}

/** Sprig's semver functions. */
export function semverFunctions(): FunctionMap {
  return {
    semver: (args, context) => {
      expectArity(context.name, args, 1);
      return versionObject(parseSemanticVersion(stringArgument(args[0])));
    },
    semverCompare: (args, context) => {
      expectArity(context.name, args, 2);
      const constraint = parseSemanticConstraint(stringArgument(args[0]));
      const version = parseSemanticVersion(stringArgument(args[1]));
      return satisfiesConstraint(constraint, version);
    },
  };
}
