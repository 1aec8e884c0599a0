/*
 * Sprig's getHostByName (network.go): one of a name's addresses, at random. Core does no I/O, so
 * the resolver comes from the caller (the CLI's looks names up as the host does); a renderer
 * without one says so. A template calls it in the middle of an execution that cannot wait: the
 * resolver is synchronous. What it answers is in the rendered text, so it is in the signatures.
 */
import type { FunctionMap } from "../model.js";
import { expectArity, stringArgument } from "./arguments.js";
import { randomBytes } from "./random.js";

/** Resolves a host name to its addresses (IPv4 and IPv6, as text), as Go's net.LookupHost; none when it fails. */
export type HostLookup = (name: string) => readonly string[];

/** Sprig's network functions, over `lookupHost` when given. */
export function networkFunctions(lookupHost: HostLookup | undefined): FunctionMap {
  return {
    getHostByName: (args, context) => {
      expectArity(context.name, args, 1);
      const name = stringArgument(args[0]);
      if (lookupHost === undefined) {
        throw new Error(
          `cannot resolve ${JSON.stringify(name)}: this renderer was given no name resolver (stages' CLI gives one)`,
        );
      }
      const addresses = lookupHost(name);
      // Sprig ignores the lookup's error and indexes rand.Intn(len(addrs)), which panics on none.
      if (addresses.length === 0) throw new Error("invalid argument to Intn");
      const [random = 0] = new Uint32Array(randomBytes(4).buffer);
      return addresses[random % addresses.length] as string;
    },
  };
}
