/**
 * Maps items with at most `limit` calls in flight and yields the results in the items' order
 * (reads ahead while the consumer writes). Stops calling after the first failure.
 */
export async function* mapOrdered<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const inFlight: Promise<R>[] = [];
  let next = 0;
  const fill = () => {
    while (next < items.length && inFlight.length < limit) {
      const promise = map(items[next] as T);
      // Failures surface when the result is awaited; keep them from being reported as unhandled.
      promise.catch(() => {});
      inFlight.push(promise);
      next += 1;
    }
  };
  fill();
  while (inFlight.length > 0) {
    const result = await (inFlight.shift() as Promise<R>);
    fill();
    yield result;
  }
}
