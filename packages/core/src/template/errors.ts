import { ConfigError, errorMarker, hasErrorMarker, markError, type StagesErrorOptions } from "../errors.js";
import type { TemplatePosition } from "./model.js";

const templateMarker = errorMarker("TemplateError");

/** Formats a position as `file:line:col`, the prefix of every template error. */
export function formatTemplatePosition(position: TemplatePosition): string {
  return `${position.file}:${position.line}:${position.column}`;
}

/**
 * A Go template could not be parsed or executed. It is a ConfigError (code CONFIG_INVALID) with one
 * problem, so whoever reports config errors reports it too. The message reads as Go's
 * `template: file:line:col: ...` without Go's `template: ` prefix; `detail` is the part after the position.
 */
export class TemplateError extends ConfigError {
  readonly position: TemplatePosition;
  /** The message without its `file:line:col: ` prefix. */
  readonly detail: string;
  constructor(position: TemplatePosition, detail: string, options?: StagesErrorOptions) {
    super([{ formatted: `${formatTemplatePosition(position)}: ${detail}` }], options);
    markError(this, templateMarker);
    this.name = "TemplateError";
    this.position = position;
    this.detail = detail;
  }
  static override isInstance(value: unknown): value is TemplateError {
    return hasErrorMarker(value, templateMarker);
  }
}

/**
 * Thrown by a template function for a call Go rejects before calling (wrong number or type of
 * arguments): exec reports its message as is, as Go does (`wrong number of args for X: want 1 got 0`),
 * instead of as `error calling X: ...`.
 */
export class GoArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GoArgumentError";
  }
}
