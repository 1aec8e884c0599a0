import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import type { Signature } from "@stages/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { currentOwner } from "./build-leftovers.js";
import {
  holdFileName,
  holdStages,
  holdsDirectory,
  parseHoldFile,
  readHolds,
  releaseHolds,
  releaseHoldsOnExit,
} from "./stage-holds.js";

const a = "a".repeat(64) as Signature;
const b = "b".repeat(64) as Signature;

/** A process that ran and exited: its pid is dead (until reused, which the start time tells apart). */
async function deadProcess(): Promise<{ pid: number; startedAt: number }> {
  const startedAt = Date.now();
  const child = spawn("true");
  await new Promise((resolve) => child.once("exit", resolve));
  return { pid: child.pid as number, startedAt };
}

describe("hold files", () => {
  let state: string;
  beforeEach(async () => {
    state = await mkdtemp(join(tmpdir(), "stages-holds-"));
  });
  afterEach(async () => {
    await releaseHolds(state);
    await rm(state, { recursive: true, force: true });
  });

  it("this process's holds accumulate in one file per process and scope them", async () => {
    await holdStages(state, "engine/p", [a]);
    await holdStages(state, "engine/p", [b, a]);
    await holdStages(state, "engine/q", [b]);
    const names = await readdir(holdsDirectory(state));
    expect(names).toEqual([holdFileName(currentOwner())]);
    const file = parseHoldFile(await readFile(join(holdsDirectory(state), names[0] as string), "utf8"));
    expect(file).toEqual({ owner: currentOwner(), scopes: { "engine/p": [a, b], "engine/q": [b] } });
    const held = await readHolds(state, "engine/p");
    expect([...held.keys()].sort()).toEqual([a, b]);
    expect(held.get(a)).toEqual([`${hostname()} pid ${process.pid}`]);
    expect([...(await readHolds(state, "engine/r")).keys()]).toEqual([]);
  });

  it("releasing removes the file", async () => {
    await holdStages(state, "engine/p", [a]);
    await releaseHolds(state);
    expect(await readdir(holdsDirectory(state))).toEqual([]);
    expect((await readHolds(state, "engine/p")).size).toBe(0);
  });

  it("ignores and deletes the files of dead owners; keeps live and other hosts' ones", async () => {
    const dead = await deadProcess();
    const live = spawn("sleep", ["30"]);
    try {
      const directory = holdsDirectory(state);
      await mkdir(directory, { recursive: true });
      const write = (owner: string, signatures: Signature[]) =>
        writeFile(join(directory, holdFileName(owner)), JSON.stringify({ owner, scopes: { "engine/p": signatures } }));
      const deadOwner = `${hostname()}:${dead.pid}:${dead.startedAt}`;
      await write(deadOwner, [a]);
      await write(`${hostname()}:${live.pid}:${Date.now()}`, [b]);
      await write(`elsewhere.example:${process.pid}:1`, [b]);
      // A pid that runs again, but was another process's before: its start time differs.
      await write(`${hostname()}:${live.pid}:${Date.now() - 3_600_000}`, [a]);
      await writeFile(join(directory, "torn.json"), '{"owner":');
      const held = await readHolds(state, "engine/p");
      expect([...held.keys()]).toEqual([b]);
      expect(held.get(b)?.sort()).toEqual(
        [`${hostname()} pid ${live.pid}`, `elsewhere.example pid ${process.pid}`].sort(),
      );
      const left = await readdir(directory);
      expect(left).not.toContain(holdFileName(deadOwner));
      expect(left).toHaveLength(3);
    } finally {
      live.kill();
    }
  });

  it("the file goes when the process exits", async () => {
    await holdStages(state, "engine/p", [a]);
    expect(process.listeners("exit")).toContain(releaseHoldsOnExit);
    releaseHoldsOnExit();
    expect(await readdir(holdsDirectory(state))).toEqual([]);
  });
});
