// Ports for a spawned server whose catalog names fixed ports (`jukebox serve` listens where the
// catalog says): ports the kernel just handed out and took back. A race with another process for
// one of them in between is possible but unlikely.
import { createServer, type AddressInfo } from 'node:net';

export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const s = createServer();
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
