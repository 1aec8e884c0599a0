import type { Readable } from "node:stream";
import type Dockerode from "dockerode";
import { abortedError, translateEngineError } from "./engine-errors.js";

/**
 * One Docker Engine reached through dockerode. The only place its calls are made and their errors
 * caught: everything above deals in EngineHttpError, EngineError and AbortedError (engine-errors).
 */
export class EngineClient {
  readonly endpoint: string;
  #docker: Dockerode | (() => Dockerode);

  /**
   * `docker` may be a function that makes the client on first use: a command that never calls the
   * engine (a push of stages REPO has) then never loads dockerode's code.
   */
  constructor(docker: Dockerode | (() => Dockerode), endpoint: string) {
    this.#docker = docker;
    this.endpoint = endpoint;
  }

  get docker(): Dockerode {
    if (typeof this.#docker === "function") this.#docker = this.#docker();
    return this.#docker;
  }

  /**
   * Runs one dockerode call and translates its failure. Not every dockerode method passes its
   * `abortSignal` on (inspect, distribution do not), so an abort also settles the call at once:
   * those are reads that may finish unseen.
   */
  async call<T>(signal: AbortSignal | undefined, operation: (docker: Dockerode) => Promise<T>): Promise<T> {
    if (signal?.aborted) throw abortedError(signal);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      if (!signal) return;
      onAbort = () => reject(abortedError(signal));
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([operation(this.docker), aborted]);
    } catch (error) {
      throw translateEngineError(error, this.endpoint, signal);
    } finally {
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Runs a dockerode call answering with a stream (pull, push, import, attach, archive). An abort
   * destroys the stream with an AbortedError, and errors on it arrive translated.
   */
  async stream(
    signal: AbortSignal | undefined,
    operation: (docker: Dockerode) => Promise<NodeJS.ReadableStream>,
  ): Promise<Readable> {
    const response = (await this.call(signal, operation)) as Readable;
    if (signal) {
      const onAbort = () => response.destroy(abortedError(signal));
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener("abort", onAbort, { once: true });
        response.once("close", () => signal.removeEventListener("abort", onAbort));
      }
    }
    return response;
  }

  /** Translates an error that surfaced while reading a stream this client handed out. */
  translate(error: unknown, signal: AbortSignal | undefined): Error {
    return translateEngineError(error, this.endpoint, signal);
  }
}
