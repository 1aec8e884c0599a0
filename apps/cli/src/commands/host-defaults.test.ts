import { defaultAllowedVolumeUsage, defaultKeepBuiltWithinHours, defaultVolumeUsageMargin } from "@stages/core";
import { describe, expect, it } from "vitest";
import { hostCleanupDefaults } from "./host-defaults.js";

describe("host cleanup's help", () => {
  it("shows core's defaults", () => {
    expect(hostCleanupDefaults).toEqual({
      allowedVolumeUsage: defaultAllowedVolumeUsage,
      margin: defaultVolumeUsageMargin,
      keepBuiltWithinHours: defaultKeepBuiltWithinHours,
    });
  });
});
