import { AbortedError, EngineError } from "@stages/core";
import { describe, expect, it } from "vitest";
import { EngineHttpError, engineFailure, isHttpStatus, translateEngineError } from "./engine-errors.js";

/** An error shaped as docker-modem rejects with for an unaccepted status. */
function modemError(statusCode: number, reason: string, json: unknown, cause: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) ${reason} - ${cause} `), { statusCode, json, reason });
}

const endpoint = "tcp://127.0.0.1:2375";

describe("translateEngineError", () => {
  it("keeps the engine's message and status of a JSON answer", () => {
    const error = translateEngineError(
      modemError(404, "no such image", { message: "No such image: x:1\n" }, "No such image: x:1"),
      endpoint,
      undefined,
    );
    expect(error).toBeInstanceOf(EngineHttpError);
    expect(isHttpStatus(error, 404)).toBe(true);
    expect((error as EngineHttpError).engineMessage).toBe("No such image: x:1");
    expect(engineFailure("cannot inspect image x:1", error).message).toBe(
      "[docker] cannot inspect image x:1: No such image: x:1",
    );
  });

  it("reads the message of a streamed call from the error text (docker-modem keeps no body)", () => {
    const error = translateEngineError(
      modemError(500, "server error", null, "Get https://r/v2/: x509: certificate signed by unknown authority"),
      endpoint,
      undefined,
    );
    expect((error as EngineHttpError).statusCode).toBe(500);
    expect((error as EngineHttpError).engineMessage).toBe(
      "Get https://r/v2/: x509: certificate signed by unknown authority",
    );
  });

  it("keeps an empty 404 (a HEAD request) an HTTP status", () => {
    const error = translateEngineError(modemError(404, "no such container", Buffer.alloc(0), ""), endpoint, undefined);
    expect(isHttpStatus(error, 404)).toBe(true);
  });

  it("says a plain-text 404 comes from something that is not an engine", () => {
    const error = translateEngineError(
      modemError(404, "no such image", Buffer.from("404 page not found\n"), "404 page not found\n"),
      endpoint,
      undefined,
    );
    expect(EngineError.isInstance(error)).toBe(true);
    expect(error.message).toBe(
      `[docker] ${endpoint} answers but is not a Docker Engine (HTTP 404: 404 page not found): point DOCKER_HOST at a Docker Engine`,
    );
  });

  it("says what to do when nothing listens, and when the peer does not speak HTTP", () => {
    const refused = translateEngineError(
      Object.assign(new Error("connect"), { code: "ECONNREFUSED" }),
      endpoint,
      undefined,
    );
    expect(refused.message).toBe(
      `[docker] no Docker Engine answers at ${endpoint} (ECONNREFUSED): start dockerd or set DOCKER_HOST`,
    );
    const parse = translateEngineError(
      Object.assign(new Error("Parse Error"), { code: "HPE_INVALID_CONSTANT" }),
      endpoint,
      undefined,
    );
    expect(parse.message).toContain(
      "answers but is not a Docker Engine (it does not speak HTTP (HPE_INVALID_CONSTANT))",
    );
  });

  it("turns aborts into AbortedError", () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    expect(
      AbortedError.isInstance(translateEngineError(new Error("socket hang up"), endpoint, controller.signal)),
    ).toBe(true);
    const abortError = Object.assign(new Error("The operation was aborted"), { name: "AbortError" });
    expect(AbortedError.isInstance(translateEngineError(abortError, endpoint, undefined))).toBe(true);
  });
});
