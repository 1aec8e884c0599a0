import type { EngineClient } from "./engine-client.js";
import { engineFailure } from "./engine-errors.js";

const platforms = new WeakMap<EngineClient, Promise<string>>();

/** The engine's platform as `os/architecture` (`linux/amd64`), asked once per client. */
export function enginePlatform(client: EngineClient, signal: AbortSignal | undefined): Promise<string> {
  let platform = platforms.get(client);
  if (!platform) {
    platform = client
      .call(signal, (docker) => docker.version())
      .then((version) => `${version.Os}/${version.Arch}`.toLowerCase())
      .catch((error: unknown) => {
        platforms.delete(client);
        throw engineFailure("cannot read the Docker Engine's platform", error);
      });
    platforms.set(client, platform);
  }
  return platform;
}
