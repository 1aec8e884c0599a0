/**
 * Core's defaults of host cleanup (defaultAllowedVolumeUsage, defaultVolumeUsageMargin,
 * defaultKeepBuiltWithinHours) as its help shows them. Importing core's would load core for every
 * `--help`; host-defaults.test.ts keeps them equal.
 */
export const hostCleanupDefaults = { allowedVolumeUsage: 70, margin: 5, keepBuiltWithinHours: 2 } as const;
