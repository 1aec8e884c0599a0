import { describe, expect, it } from "vitest";
import { delays, expectCompleteRepository, registry, useInterruptSuite } from "./interrupt-points.js";

// SIGINT at points of push and publish (see interrupt-points.ts): a push through the engine must
// leave no alias (`REPO:image-stage-*`, `REPO@digest`) whatever the moment, even when the engine's
// push outlives the cancelled request.
const suite = useInterruptSuite("interruptsengine");

describe("SIGINT at any moment of a push through the engine", () => {
  it("push: no alias in the engine, no broken tag; a re-run pushes every stage", async () => {
    const built = await suite.run("build", "app", "--network", "none");
    expect(built.code, built.stderr).toBe(0);
    const push = (path: string) => ["push", "app", `${registry}/${path}`];
    const duration = await suite.measure(push(`reliability/${suite.project}-measure`));
    for (const [index, delay] of delays(duration).entries()) {
      const path = `reliability/${suite.project}-push-${index}`;
      await suite.interruptAt("push", push(path), delay);
      suite.expectNoLeftovers(`${registry}/${path}`);
      await expectCompleteRepository(path);
      const rerun = await suite.run(...push(path), "--json");
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(await expectCompleteRepository(path)).toEqual(expect.arrayContaining(suite.stageTags()));
      suite.expectNoLeftovers(`${registry}/${path}`);
    }
  });

  it("publish: no alias in the engine, no broken tag; a re-run publishes", async () => {
    const publish = (path: string) => ["publish", "app", `${registry}/${path}`, "--tag-custom", "v1"];
    const duration = await suite.measure(publish(`reliability/${suite.project}-publish`));
    for (const [index, delay] of delays(duration).entries()) {
      const path = `reliability/${suite.project}-publish-${index}`;
      const names = [`${registry}/${path}`, `${registry}/${path}/app`];
      await suite.interruptAt("publish", publish(path), delay);
      suite.expectNoLeftovers(...names);
      await expectCompleteRepository(path);
      await expectCompleteRepository(`${path}/app`);
      const rerun = await suite.run(...publish(path), "--json");
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(await expectCompleteRepository(`${path}/app`)).toContain("v1");
      suite.expectNoLeftovers(...names);
    }
  });

  it("push, SIGINT twice 10 ms apart (as `timeout` sends them): the aliases are still removed", async () => {
    const built = await suite.run("build", "app", "--network", "none");
    expect(built.code, built.stderr).toBe(0);
    const push = (path: string) => ["push", "app", `${registry}/${path}`];
    const duration = await suite.measure(push(`reliability/${suite.project}-measure-twice`));
    const path = `reliability/${suite.project}-twice`;
    await suite.interruptAt("push x2", push(path), Math.round(duration / 2), 10);
    suite.expectNoLeftovers(`${registry}/${path}`);
    await expectCompleteRepository(path);
    const rerun = await suite.run(...push(path), "--json");
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await expectCompleteRepository(path)).toEqual(expect.arrayContaining(suite.stageTags()));
  });
});
