export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Reads until `ok` holds or the time is up, and answers the last value read (the test asserts on it). */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await sleep(200);
    value = await read();
  }
  return value;
}
