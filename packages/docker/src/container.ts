import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import type { EngineClient } from "./engine-client.js";
import { abortedError, EngineHttpError, encodeName, engineFailure, isHttpStatus } from "./engine-client.js";
import type { ContainerConfig } from "./image-config.js";
import { FrameDecoder } from "./multiplexed-stream.js";

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
}

/** How long to wait for the rest of the output after the container stopped. */
const outputDrainMs = 5_000;

/** A container the builder made and removes again, whatever happens. */
export class EngineContainer {
  readonly id: string;
  readonly name: string;
  private readonly client: EngineClient;

  private constructor(client: EngineClient, id: string, name: string) {
    this.client = client;
    this.id = id;
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
      HostConfig: { NetworkMode: spec.networkMode },
    };
    if (spec.user !== undefined) body.User = spec.user;
    try {
      const created = await client.json<{ Id: string }>({
        method: "POST",
        path: "/containers/create",
        query: { name },
        body,
      });
      const container = new EngineContainer(client, created.Id, name);
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
    await this.client.json({
      method: "PUT",
      path: `/containers/${this.id}/archive`,
      query: { path, noOverwriteDirNonDir: false },
      file: archive,
      signal,
    });
  }

  /** A tar stream of `path` (named by its base name), or null when the path does not exist. */
  async getArchive(path: string, signal?: AbortSignal): Promise<IncomingMessage | null> {
    try {
      return await this.client.stream({
        method: "GET",
        path: `/containers/${this.id}/archive`,
        query: { path },
        signal,
      });
    } catch (error) {
      if (isHttpStatus(error, 404)) return null;
      throw error;
    }
  }

  /** Whether `path` exists in the container's file system. */
  async pathExists(path: string, signal?: AbortSignal): Promise<boolean> {
    try {
      const response = await this.client.stream({
        method: "HEAD",
        path: `/containers/${this.id}/archive`,
        query: { path },
        signal,
      });
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
    const attach = await this.client.stream({
      method: "POST",
      path: `/containers/${this.id}/attach`,
      query: { stream: true, stdout: true, stderr: true },
      signal,
    });
    const frames = new FrameDecoder();
    const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
    const emit = (frame: { stream: "stdout" | "stderr"; data: Buffer }) => {
      const text = decoders[frame.stream].decode(frame.data, { stream: true });
      if (text !== "") options.onOutput(frame.stream, text);
    };
    const drained = new Promise<void>((resolve) => {
      attach.on("data", (chunk: Buffer) => frames.push(chunk).forEach(emit));
      attach.once("end", resolve);
      attach.once("close", resolve);
      attach.once("error", () => resolve());
    });
    try {
      try {
        await this.client.json({ method: "POST", path: `/containers/${this.id}/start`, signal, accept: [304] });
      } catch (error) {
        if (error instanceof EngineHttpError) throw new ContainerStartError(error.engineMessage);
        throw error;
      }
      const result = await this.client.json<{ StatusCode: number; Error?: { Message?: string } | null }>({
        method: "POST",
        path: `/containers/${this.id}/wait`,
        signal,
      });
      const timer = setTimeout(() => attach.destroy(), outputDrainMs);
      await drained;
      clearTimeout(timer);
      frames.end().forEach(emit);
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
  async commit(config: ContainerConfig): Promise<string> {
    const committed = await this.client.json<{ Id: string }>({
      method: "POST",
      path: "/commit",
      query: { container: this.id, pause: false },
      body: config,
    });
    return committed.Id;
  }

  /** Kills the container if it runs; never fails. */
  async kill(): Promise<void> {
    try {
      await this.client.json({ method: "POST", path: `/containers/${this.id}/kill`, accept: [304] });
    } catch {
      // Not running any more, or already gone: either way nothing to kill.
    }
  }

  /** Removes the container with its anonymous volumes; an absent container is fine. Never takes a signal. */
  async remove(): Promise<void> {
    try {
      await this.client.json({
        method: "DELETE",
        path: `/containers/${encodeName(this.id)}`,
        query: { force: true, v: true },
      });
    } catch (error) {
      if (isHttpStatus(error, 404)) return;
      // "removal already in progress"
      if (error instanceof EngineHttpError && error.statusCode === 409) return;
      throw engineFailure(`cannot remove container ${this.name}`, error);
    }
  }
}
