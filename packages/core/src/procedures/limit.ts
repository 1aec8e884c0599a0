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
