import { formatGoValue } from "../format.js";
import type { GoValue } from "../model.js";

/** Sprig's strslice (`toStrings`, `join`, `sortAlpha`): a list's non-nil items as strings; a scalar as one. */
export function stringList(value: GoValue): string[] {
  if (Array.isArray(value)) {
    return value.filter((item) => item !== null).map((item) => (typeof item === "string" ? item : formatGoValue(item)));
  }
  if (value === null) return [];
  return [typeof value === "string" ? value : formatGoValue(value)];
}
