import { describe, expect, it } from "vitest";
import { cleanupPolicies, defaultCleanupConfig } from "./cleanup-defaults.js";
import type { CleanupConfig } from "./model.js";
import { parseConfig } from "./parse-config.js";
import { errorsOf } from "./test-support.js";

const image = "---\nimage: app\nfrom: alpine:3.20\n";
const hour = 3_600_000;

/** Parses a meta document whose line 3 is `cleanup:` followed by `body` (so body line 1 is file line 4). */
function parseCleanupText(body: string) {
  return parseConfig(`project: taxi\nconfigVersion: 1\ncleanup:\n${body}${image}`);
}

function validCleanup(body: string): CleanupConfig {
  const result = parseCleanupText(body);
  expect(errorsOf(result)).toEqual([]);
  const cleanup = result.config?.meta.cleanup;
  expect(cleanup).toBeDefined();
  return cleanup as CleanupConfig;
}

function cleanupErrors(body: string): string[] {
  const result = parseCleanupText(body);
  expect(result.config).toBeNull();
  return errorsOf(result);
}

function warningsOf(body: string): string[] {
  return parseCleanupText(body).warnings.map((problem) => problem.formatted);
}

describe("cleanup: in the project meta", () => {
  it("reads the issue's example with werf's meaning and defaults", () => {
    const cleanup = validCleanup(
      [
        "  keepPolicies:",
        "  - references:",
        "      tag: /.*/",
        "      limit: {last: 10, in: 168h, operator: And}",
        "  - references:",
        "      branch: /.*/",
        "      limit: {last: 20, in: 168h}",
        "    imagesPerReference: {last: 2, in: 72h, operator: Or}",
        "  keepImagesBuiltWithinLastNHours: 2",
        "",
      ].join("\n"),
    );
    expect(cleanup).toEqual({
      disabled: false,
      keepPolicies: [
        {
          references: {
            kind: "tag",
            match: { kind: "regexp", source: ".*" },
            limit: { last: 10, inMs: 168 * hour, operator: "And" },
          },
          // werf's default imagesPerReference: the newest image only.
          imagesPerReference: { last: 1, inMs: null, operator: "And" },
          position: { file: "stages.yaml", line: 5, column: 5 },
        },
        {
          references: {
            kind: "branch",
            match: { kind: "regexp", source: ".*" },
            limit: { last: 20, inMs: 168 * hour, operator: "And" },
          },
          imagesPerReference: { last: 2, inMs: 72 * hour, operator: "Or" },
          position: { file: "stages.yaml", line: 8, column: 5 },
        },
      ],
      keepImagesBuiltWithinLastNHours: 2,
      disableGitHistoryBasedPolicy: false,
      disableBuiltWithinLastNHoursPolicy: false,
    });
  });

  it("leaves an absent or empty cleanup: to cleanupPolicies, which gives werf's defaults", () => {
    for (const text of [
      `project: taxi\nconfigVersion: 1\n${image}`,
      `project: taxi\nconfigVersion: 1\ncleanup:\n${image}`,
    ]) {
      const result = parseConfig(text);
      expect(errorsOf(result)).toEqual([]);
      const meta = result.config?.meta;
      expect(meta?.cleanup).toBeUndefined();
      expect(cleanupPolicies(meta ?? {})).toBe(defaultCleanupConfig);
    }
    expect(defaultCleanupConfig.keepImagesBuiltWithinLastNHours).toBe(2);
    expect(defaultCleanupConfig.keepPolicies.map((policy) => policy.references.match)).toEqual([
      { kind: "regexp", source: ".*" },
      { kind: "regexp", source: ".*" },
      { kind: "regexp", source: "^(main|master|staging|production)$" },
    ]);
  });

  it("fills werf's default policies when keepPolicies is absent or empty, and says so for an empty list", () => {
    expect(validCleanup("  keepImagesBuiltWithinLastNHours: 5\n")).toEqual({
      ...defaultCleanupConfig,
      keepImagesBuiltWithinLastNHours: 5,
    });
    expect(validCleanup("  keepPolicies: []\n").keepPolicies).toEqual(defaultCleanupConfig.keepPolicies);
    expect(warningsOf("  keepPolicies: []\n")).toEqual([
      "stages.yaml:4:17: warning: an empty cleanup.keepPolicies means werf's default policies (to keep nothing by git history, write disableGitHistoryBasedPolicy: true)",
    ]);
  });

  it("reads names, regexps, -1 as no limit, and every form of a Go duration", () => {
    const cleanup = validCleanup(
      [
        "  keepPolicies:",
        "  - references: {branch: main}",
        "    imagesPerReference: {last: -1}",
        "  - references: {tag: 1.10, limit: {last: -1, in: 1h30m, operator: Or}}",
        "    imagesPerReference: {in: 72h0m0s}",
        "  - references: {branch: '/^feature\\/(?P<ticket>[A-Z]+-\\d+)$/', limit: {in: 1.5h}}",
        "    imagesPerReference: {last: 0, in: 300ms}",
        "  - references: {branch: /release-.*/, limit: {in: 30m}}",
        "    imagesPerReference: {last: 3, in: 0}",
        "",
      ].join("\n"),
    );
    expect(
      cleanup.keepPolicies.map(({ references, imagesPerReference }) => ({ references, imagesPerReference })),
    ).toEqual([
      {
        references: { kind: "branch", match: { kind: "name", name: "main" }, limit: null },
        imagesPerReference: { last: null, inMs: null, operator: "And" },
      },
      {
        // werf reads a tag into a Go string as written: 1.10 stays "1.10".
        references: {
          kind: "tag",
          match: { kind: "name", name: "1.10" },
          limit: { last: null, inMs: 90 * 60_000, operator: "Or" },
        },
        // An absent last is werf's default 1 for imagesPerReference.
        imagesPerReference: { last: 1, inMs: 72 * hour, operator: "And" },
      },
      {
        references: {
          kind: "branch",
          match: { kind: "regexp", source: "^feature\\/(?P<ticket>[A-Z]+-\\d+)$" },
          limit: { last: null, inMs: 1.5 * hour, operator: "And" },
        },
        imagesPerReference: { last: 0, inMs: 300, operator: "And" },
      },
      {
        references: {
          kind: "branch",
          match: { kind: "regexp", source: "release-.*" },
          limit: { last: null, inMs: 30 * 60_000, operator: "And" },
        },
        imagesPerReference: { last: 3, inMs: 0, operator: "And" },
      },
    ]);
  });

  it("reads werf's switches, YAML 1.1 booleans included", () => {
    expect(
      validCleanup(
        [
          "  disable: yes",
          "  disableKubernetesBasedPolicy: true",
          "  disableGitHistoryBasedPolicy: true",
          "  disableBuiltWithinLastNHoursPolicy: on",
          "  keepImagesBuiltWithinLastNHours: 0",
          "",
        ].join("\n"),
      ),
    ).toEqual({
      ...defaultCleanupConfig,
      disabled: true,
      disableGitHistoryBasedPolicy: true,
      disableBuiltWithinLastNHoursPolicy: true,
      keepImagesBuiltWithinLastNHours: 0,
    });
  });

  it("warns that a tag policy's imagesPerReference.last above 1 changes nothing", () => {
    expect(warningsOf("  keepPolicies:\n  - references: {tag: /v.*/}\n    imagesPerReference: {last: 3}\n")).toEqual([
      "stages.yaml:6:25: warning: a tag keeps the images of its own commit only: imagesPerReference.last above 1 changes nothing (remove last, or write last: 1)",
    ]);
  });

  it.each([
    ["  - a\n", "stages.yaml:4:3: cleanup must be a mapping, not a list (write cleanup as key: value lines)"],
    ["  keepPolicy: []\n", 'stages.yaml:4:3: unknown key "keepPolicy" under cleanup (did you mean "keepPolicies"?)'],
    [
      "  disableKeepPolicies: true\n",
      'stages.yaml:4:3: unsupported key "disableKeepPolicies": werf has no such key (write disableGitHistoryBasedPolicy: true to keep nothing by git history)',
    ],
    [
      '  disable: "true"\n',
      "stages.yaml:4:12: cleanup.disable must be a boolean, not a string (write true or false, without quotes)",
    ],
    [
      "  keepImagesBuiltWithinLastNHours: -1\n",
      "stages.yaml:4:36: cleanup.keepImagesBuiltWithinLastNHours must be 0 or more, not -1 (write a number of hours, e.g. 2)",
    ],
    [
      '  keepImagesBuiltWithinLastNHours: "2"\n',
      "stages.yaml:4:36: cleanup.keepImagesBuiltWithinLastNHours must be a whole number, not a string (write a number of hours, e.g. 2)",
    ],
    [
      "  keepPolicies: {references: {branch: main}}\n",
      "stages.yaml:4:17: cleanup.keepPolicies must be a list, not a mapping (write each policy as a list item: - references: {branch: main})",
    ],
    ["  keepPolicies:\n  -\n", "stages.yaml:5:4: a keep policy is empty (write - references: {branch: main})"],
    [
      "  keepPolicies:\n  - imagesPerReference: {last: 1}\n",
      "stages.yaml:5:5: a keep policy needs references (add references: {branch: <name or /regexp/>} or references: {tag: ...})",
    ],
    [
      "  keepPolicies:\n  - references: {branch: main, tag: v1}\n",
      "stages.yaml:5:18: references take a branch or a tag, not both (write two policies, one for each)",
    ],
    [
      "  keepPolicies:\n  - references: {limit: {last: 1}}\n",
      "stages.yaml:5:17: references need a branch or a tag (add branch: <name or /regexp/> or tag: ...)",
    ],
    [
      "  keepPolicies:\n  - references: {branch: [main]}\n",
      "stages.yaml:5:26: branch must be a name or a /regexp/, not a list (write e.g. branch: main or /^feature\\/.*/)",
    ],
    [
      "  keepPolicies:\n  - references: {branch: //}\n",
      'stages.yaml:5:26: branch "//" is an empty regexp, which matches no branch (write branch: /.*/ for every branch)',
    ],
    [
      "  keepPolicies:\n  - references: {tag: '/(?<=v)1/'}\n",
      'stages.yaml:5:23: tag "/(?<=v)1/" is not a Go regular expression stages can read: lookbehind (?<= is not supported by Go regexps (see https://pkg.go.dev/regexp/syntax; the whole name must match)',
    ],
    [
      "  keepPolicies:\n  - references: {branch: '/(a)\\1/'}\n",
      'stages.yaml:5:26: branch "/(a)\\1/" is not a Go regular expression stages can read: \\1: Go regexps have no backreferences; write the character itself instead of an octal escape (see https://pkg.go.dev/regexp/syntax; the whole name must match)',
    ],
    [
      "  keepPolicies:\n  - references: {branch: '/feature-(/'}\n",
      'stages.yaml:5:26: branch "/feature-(/" is not a Go regular expression stages can read: unterminated group (see https://pkg.go.dev/regexp/syntax; the whole name must match)',
    ],
    [
      "  keepPolicies:\n  - references: {branch: main, limit: {last: -2}}\n",
      "stages.yaml:5:46: references.limit.last must be -1 or more, not -2 (-1 means no limit)",
    ],
    [
      "  keepPolicies:\n  - references: {branch: main, limit: {last: '10'}}\n",
      "stages.yaml:5:46: references.limit.last must be a whole number, not a string (-1 means no limit)",
    ],
    [
      "  keepPolicies:\n  - references: {branch: main}\n    imagesPerReference: {last: 1.5}\n",
      "stages.yaml:6:32: imagesPerReference.last must be a whole number, not a fraction (-1 means no limit)",
    ],
    [
      "  keepPolicies:\n  - references: {branch: main, limit: {in: 7d}}\n",
      'stages.yaml:5:44: references.limit.in "7d" is not a duration: unknown unit "d" (write a Go duration: 168h, 30m, 1h30m (h, m, s, ms; no days))',
    ],
    [
      "  keepPolicies:\n  - references: {branch: main, limit: {in: 3600}}\n",
      "stages.yaml:5:44: references.limit.in must be a duration such as 168h, not a number (write a Go duration: 168h, 30m, 1h30m (h, m, s, ms; no days))",
    ],
    [
      "  keepPolicies:\n  - references: {branch: main}\n    imagesPerReference: {in: -1h}\n",
      'stages.yaml:6:30: imagesPerReference.in "-1h" is not a duration: a duration must not be negative (write a Go duration: 168h, 30m, 1h30m (h, m, s, ms; no days))',
    ],
    [
      "  keepPolicies:\n  - references: {branch: main}\n    imagesPerReference: {in: 72}\n",
      "stages.yaml:6:30: imagesPerReference.in must be a duration such as 168h, not a number (write a Go duration: 168h, 30m, 1h30m (h, m, s, ms; no days))",
    ],
    [
      "  keepPolicies:\n  - references: {branch: main}\n    imagesPerReference: {in: 1h30}\n",
      'stages.yaml:6:30: imagesPerReference.in "1h30" is not a duration: missing unit after 30 (write a Go duration: 168h, 30m, 1h30m (h, m, s, ms; no days))',
    ],
    [
      "  keepPolicies:\n  - references: {branch: main, limit: {operator: and}}\n",
      'stages.yaml:5:50: references.limit.operator must be And or Or, not "and" (write operator: And (both conditions) or operator: Or (either))',
    ],
    [
      "  keepPolicies:\n  - references: {branch: main}\n    imagesPerReference: {lats: 2}\n",
      'stages.yaml:6:26: unknown key "lats" under imagesPerReference (did you mean "last"?)',
    ],
    [
      "  keepPolicies:\n  - references: {branch: main}\n    imagesPerRef: {last: 2}\n",
      'stages.yaml:6:5: unknown key "imagesPerRef" in a keep policy (expected one of: references, imagesPerReference)',
    ],
  ])("locates the problem in %j", (body, expected) => {
    expect(cleanupErrors(body)).toEqual([expected]);
  });

  it("reports every problem of the section at once, in order", () => {
    expect(
      cleanupErrors(
        [
          "  disable: maybe",
          "  keepPolicies:",
          "  - references: {branch: '/(?=x)/', limit: {last: x}}",
          "    imagesPerReference: {in: 2w, operator: Xor}",
          "  - references: {}",
          "  keepImagesBuiltWithinLastNHours: 1.5",
          "",
        ].join("\n"),
      ),
    ).toEqual([
      "stages.yaml:4:12: cleanup.disable must be a boolean, not a string (write true or false)",
      'stages.yaml:6:26: branch "/(?=x)/" is not a Go regular expression stages can read: lookahead (?= is not supported by Go regexps (see https://pkg.go.dev/regexp/syntax; the whole name must match)',
      "stages.yaml:6:51: references.limit.last must be a whole number, not a string (-1 means no limit)",
      'stages.yaml:7:30: imagesPerReference.in "2w" is not a duration: unknown unit "w" (write a Go duration: 168h, 30m, 1h30m (h, m, s, ms; no days))',
      'stages.yaml:7:44: imagesPerReference.operator must be And or Or, not "Xor" (write operator: And (both conditions) or operator: Or (either))',
      "stages.yaml:8:17: references need a branch or a tag (add branch: <name or /regexp/> or tag: ...)",
      "stages.yaml:9:36: cleanup.keepImagesBuiltWithinLastNHours must be a whole number, not a fraction (write a number of hours, e.g. 2)",
    ]);
  });

  it("changes nothing when only the meta is wrong elsewhere: cleanup problems and others come together", () => {
    const result = parseConfig(
      `project: Taxi\nconfigVersion: 1\ncleanup: {keepPolicies: [{references: {}}]}\n${image}`,
    );
    expect(result.config).toBeNull();
    expect(errorsOf(result)).toHaveLength(2);
  });
});
