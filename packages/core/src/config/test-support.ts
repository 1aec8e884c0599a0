import { expect } from "vitest";
import type { ConfigResult, ImageConfig } from "./model.js";
import { parseConfig } from "./parse-config.js";

/** The project meta the tests put before their image documents: three lines, so body line 1 is file line 4. */
export const metaText = "project: demo\nconfigVersion: 1\n---\n";

/** Parses image documents after a valid project meta. */
export function parseImages(body: string): ConfigResult {
  return parseConfig(metaText + body);
}

/** The formatted errors of a result. */
export function errorsOf(result: ConfigResult): string[] {
  return result.errors.map((problem) => problem.formatted);
}

/** The images of a result that must be valid. */
export function validImages(result: ConfigResult): ImageConfig[] {
  expect(errorsOf(result)).toEqual([]);
  expect(result.config).not.toBeNull();
  return result.config?.images ?? [];
}

/** The only image of a result that must be valid. */
export function validImage(body: string): ImageConfig {
  const images = validImages(parseImages(body));
  expect(images).toHaveLength(1);
  return images[0] as ImageConfig;
}

/** The formatted errors of image documents that must be invalid. */
export function imageErrors(body: string): string[] {
  const result = parseImages(body);
  expect(result.config).toBeNull();
  return errorsOf(result);
}
