import { afterEach } from 'vitest';

/** Anything a test opens and must close: servers, clients, buses. */
export interface Closable {
  close(): unknown;
}

/**
 * Registers, for the calling test file, an `afterEach` that closes every
 * resource handed to the returned function during the test, newest first
 * (clients before the server they connect to), awaiting each close.
 *
 * @example
 * const track = closeAfterEach();
 * it('...', async () => {
 *   const server = track(await startTestServer());
 *   const alice = track(await connectAs(server.url, 'alice'));
 * });
 */
export function closeAfterEach(): <T extends Closable>(resource: T) => T {
  const open: Closable[] = [];
  afterEach(async () => {
    for (const resource of open.splice(0).reverse()) await resource.close();
  });
  return (resource) => {
    open.push(resource);
    return resource;
  };
}
