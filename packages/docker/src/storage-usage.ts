import { existsSync } from "node:fs";
import { statfs } from "node:fs/promises";
import type { StorageUsage } from "@stages/core";

/** The fields of statfs(2) usage is computed from. */
export interface FileSystemStats {
  /** Fundamental block size in bytes. */
  bsize: number;
  /** Total data blocks. */
  blocks: number;
  /** Free blocks (including those reserved for root). */
  bfree: number;
}

/**
 * Usage of a file system as `df` counts used space: used = (blocks - bfree) * bsize, total =
 * blocks * bsize. Blocks reserved for root count as free, as werf counts them.
 */
export function usageFromStatfs(path: string, stats: FileSystemStats): StorageUsage {
  return {
    path,
    usedBytes: (stats.blocks - stats.bfree) * stats.bsize,
    totalBytes: stats.blocks * stats.bsize,
  };
}

/** Used share of the storage in percent (0 for an empty or unknown total). */
export function usedPercent(usage: StorageUsage): number {
  return usage.totalBytes > 0 ? (usage.usedBytes / usage.totalBytes) * 100 : 0;
}

/**
 * Measures the storage at `path` on this machine; null when the path does not exist here (the
 * engine's data root is on another machine, or in a VM).
 */
export async function measureLocalStorage(path: string): Promise<StorageUsage | null> {
  if (!existsSync(path)) return null;
  const stats = await statfs(path);
  return usageFromStatfs(path, { bsize: stats.bsize, blocks: stats.blocks, bfree: stats.bfree });
}
