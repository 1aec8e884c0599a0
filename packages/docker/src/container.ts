import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { Writable } from "node:stream";
import type Dockerode from "dockerode";
import type { EngineMount } from "./build-mounts.js";
import type { EngineClient } from "./engine-client.js";
import { abortedError, EngineHttpError, engineFailure, isHttpStatus } from "./engine-errors.js";
import type { ContainerConfig } from "./image-config.js";

/** The engine could not start the container (e.g. the image has no /bin/sh). */
export class ContainerStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ContainerStartError";
  }
}

/** How a temporary container is made. */
export interface ContainerSpec {
  image: string;
  /** Name prefix; a random suffix makes it unique. Lets tests and users find leftovers. */
  namePrefix: string;
  /** What the container runs when started; containers that only receive files are never started. */
  entrypoint: string[];
  /** Set only when the image's user must be overridden (to run as root). */
  user?: string;
  networkMode: string;
  /** `host:ip` entries for the container's /etc/hosts (outside its file system: never committed). */
  extraHosts?: string[];
  /** The container's host name (the engine's default is its id). */
  hostname?: string;
  /** Labels of the container: its project and owner, so that a later run can tell a leftover (build-leftovers). */
  labels?: Record<string, string>;
  /** Volumes mounted while it runs (`mount:` and secrets of shell stages); `docker commit` never takes them. */
  mounts?: EngineMount[];
  /** `host:container` binds (`mount: fromPath`). */
  binds?: string[];
}

/** How long to wait for the rest of the output after the container stopped. */
const outputDrainMs = 5_000;

/** A container the builder made and removes again, whatever happens. */
export class EngineContainer {
  readonly id: string;
  readonly name: string;
  private readonly client: EngineClient;
  private readonly container: Dockerode.Container;

  private constructor(client: EngineClient, container: Dockerode.Container, name: string) {
    this.client = client;
    this.container = container;
    this.id = container.id;
    this.name = name;
  }

  /**
   * Creates the container. The request itself is not cancelled: an abort in flight could leave a
   * container nobody knows to remove. A caller that was aborted meanwhile gets it removed and an
   * AbortedError.
   */
  static async create(client: EngineClient, spec: ContainerSpec, signal?: AbortSignal): Promise<EngineContainer> {
    if (signal?.aborted) throw abortedError(signal);
    const name = `${spec.namePrefix}-${randomBytes(4).toString("hex")}`;
    const body: Record<string, unknown> = {
      Image: spec.image,
      Entrypoint: spec.entrypoint,
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: {
        NetworkMode: spec.networkMode,
        ...(spec.extraHosts && spec.extraHosts.length > 0 ? { ExtraHosts: spec.extraHosts } : {}),
        ...(spec.mounts && spec.mounts.length > 0 ? { Mounts: spec.mounts } : {}),
        ...(spec.binds && spec.binds.length > 0 ? { Binds: spec.binds } : {}),
      },
    };
    if (spec.user !== undefined) body.User = spec.user;
    if (spec.hostname !== undefined) body.Hostname = spec.hostname;
    if (spec.labels !== undefined) body.Labels = spec.labels;
    try {
      // docker-modem sends an options object both as query and as body unless it is split into
      // `_query` and `_body`; the entrypoint holds the script (up to 96 KiB) and must stay out of the URL.
      const created = await client.call(undefined, (docker) =>
        docker.createContainer({ _query: { name }, _body: body } as unknown as Dockerode.ContainerCreateOptions),
      );
      const container = new EngineContainer(client, created, name);
      if (signal?.aborted) {
        await container.remove();
        throw abortedError(signal);
      }
      return container;
    } catch (error) {
      throw engineFailure(`cannot create a container from ${spec.image}`, error);
    }
  }

  /** Extracts a tar stream into the container at `path` (an existing directory). */
  async putArchive(archive: Readable, signal?: AbortSignal, path = "/"): Promise<void> {
    await this.client.call(signal, () =>
      this.container.putArchive(archive, { path, noOverwriteDirNonDir: false, abortSignal: signal }),
    );
  }

  /** A tar stream of `path` (named by its base name), or null when the path does not exist. */
  async getArchive(path: string, signal?: AbortSignal): Promise<Readable | null> {
    try {
      return await this.client.stream(signal, () => this.container.getArchive({ path, abortSignal: signal }));
    } catch (error) {
      if (isHttpStatus(error, 404)) return null;
      throw error;
    }
  }

  /** Whether `path` exists in the container's file system. */
  async pathExists(path: string, signal?: AbortSignal): Promise<boolean> {
    try {
      const response = await this.client.stream(signal, () =>
        this.container.infoArchive({ path, abortSignal: signal }),
      );
      response.resume();
      return true;
    } catch (error) {
      if (isHttpStatus(error, 404)) return false;
      throw error;
    }
  }

  /**
   * Starts the container, streams its output, and resolves with its exit code. On abort the
   * container is killed and the AbortedError rethrown.
   */
  async run(options: {
    signal?: AbortSignal | undefined;
    onOutput: (stream: "stdout" | "stderr", text: string) => void;
  }): Promise<number> {
    const { signal } = options;
    const attach = await this.client.stream(signal, () =>
      this.container.attach({ stream: true, stdout: true, stderr: true, abortSignal: signal }),
    );
    const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
    const sink = (stream: "stdout" | "stderr") =>
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          const text = decoders[stream].decode(chunk, { stream: true });
          if (text !== "") options.onOutput(stream, text);
          callback();
        },
      });
    this.client.docker.modem.demuxStream(attach, sink("stdout"), sink("stderr"));
    const drained = new Promise<void>((resolve) => {
      attach.once("end", resolve);
      attach.once("close", resolve);
      attach.once("error", () => resolve());
    });
    try {
      try {
        await this.client.call(signal, () => this.container.start({ abortSignal: signal }));
      } catch (error) {
        // 304: already started, which is what we wanted.
        if (isHttpStatus(error, 304)) {
          // nothing to do
        } else if (error instanceof EngineHttpError) throw new ContainerStartError(error.engineMessage);
        else throw error;
      }
      const result = (await this.client.call(signal, () => this.container.wait({ abortSignal: signal }))) as {
        StatusCode: number;
      };
      const timer = setTimeout(() => attach.destroy(), outputDrainMs);
      await drained;
      clearTimeout(timer);
      for (const stream of ["stdout", "stderr"] as const) {
        const rest = decoders[stream].decode();
        if (rest !== "") options.onOutput(stream, rest);
      }
      return result.StatusCode;
    } catch (error) {
      if (signal?.aborted) await this.kill();
      throw error;
    } finally {
      attach.destroy();
    }
  }

  /**
   * Commits the container's file system with `config` as the image config; returns the image id.
   * Not cancellable in flight (the image would be left behind unnamed); the caller checks its
   * signal afterwards and removes the image.
   */
  async commit(config: ContainerConfig, author?: string): Promise<string> {
    const query = { container: this.id, pause: false, ...(author ? { author } : {}) };
    const committed = (await this.client.call(undefined, () =>
      // Split as in create: the container, pause and author go in the query, the config is the body.
      this.container.commit({ _query: query, _body: config }),
    )) as { Id: string };
    return committed.Id;
  }

  /** Kills the container if it runs; never fails. */
  async kill(): Promise<void> {
    try {
      await this.client.call(undefined, () => this.container.kill());
    } catch {
      // Not running any more, or already gone: either way nothing to kill.
    }
  }

  /** Removes the container with its anonymous volumes; an absent container is fine. Never takes a signal. */
  async remove(): Promise<void> {
    try {
      await this.client.call(undefined, () => this.container.remove({ force: true, v: true }));
    } catch (error) {
      // 404: gone already; 409: "removal already in progress".
      if (isHttpStatus(error, 404, 409)) return;
      throw engineFailure(`cannot remove container ${this.name}`, error);
    }
  }
}
