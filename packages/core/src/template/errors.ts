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
