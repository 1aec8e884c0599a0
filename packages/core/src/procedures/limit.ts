/** Runs `work` over `items` with at most `concurrency` at a time; rejects with the first failure. */
export async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker);
  const results = await Promise.allSettled(workers);
  const rejection = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (rejection) throw rejection.reason;
}

/** Memoizes one promise per key, so shared work (a stage used by two images) runs once. */
export class OncePerKey<T> {
  readonly #promises = new Map<string, Promise<T>>();
  run(key: string, work: () => Promise<T>): Promise<T> {
    let promise = this.#promises.get(key);
    if (!promise) {
      promise = work();
      this.#promises.set(key, promise);
    }
    return promise;
  }
}
