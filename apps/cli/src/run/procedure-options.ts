import { createFactsProvider, type FactsProvider, type StageBuilder } from "@stages/core";
import type { Session } from "../base-command.js";

/**
 * The one facts provider of a run (git content, stageDependencies checksums, base digests): every
 * command that resolves the project takes it from here, so none can leave a fact out.
 */
export function projectFacts(session: Session): Promise<FactsProvider> {
  const { services } = session;
  // Once per run: build-and-publish resolves twice, and both must see the same base digests.
  let facts = factsOfRun.get(services);
  if (!facts) {
    // The builder is made when a base digest is first asked (fromLatest, external imports): a run
    // that needs none, like a push of stages REPO has, never makes it.
    const baseDigests: Pick<StageBuilder, "resolveBaseDigest"> = {
      async resolveBaseDigest(reference, options) {
        const builder = await services.builder();
        if (!builder.resolveBaseDigest) return noBaseDigests.baseDigest(reference, options);
        return builder.resolveBaseDigest(reference, options);
      },
    };
    facts = Promise.resolve(createFactsProvider({ git: services.git, baseDigests }));
    factsOfRun.set(services, facts);
  }
  return facts;
}

const factsOfRun = new WeakMap<Session["services"], Promise<FactsProvider>>();

/** What a builder that resolves no base digests answers: core's error that says so. */
const noBaseDigests = createFactsProvider({});

/**
 * What the procedures that move stages to or from REPO (push, pull, publish) take from the session:
 * the project, local and remote storage, the transfer, the facts, cancellation and events.
 */
export async function repositoryProcedureOptions(session: Session, repo: string) {
  const { services } = session;
  return {
    config: session.project.config,
    local: await services.local(),
    remote: await services.remote(repo),
    repository: services.repository(repo),
    transfer: await services.transfer(),
    facts: await projectFacts(session),
    signal: session.signal,
    onEvent: session.onEvent,
    holder: services.holder,
  };
}

/** What push, publish, pull and build record and hold for cleanup: HEAD's commit and who holds leases. */
export async function housekeepingOptions(session: Session) {
  return { head: await session.services.head(), holder: session.services.holder };
}
