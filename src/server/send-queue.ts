// How many bytes a TCP socket's peer has not yet taken: the kernel's send queue, read from
// /proc/net/tcp{,6} (Linux). Node shows no finer progress than libuv's write queue, which moves
// only when the kernel wakes the writer (after about a third of its send buffer, several MB on
// loopback, has drained): a reader taking 16 KB/s then shows no movement for over a minute
// although it reads all along. The kernel's own count moves with every window the reader opens.
import { readFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];

let cached: { at: number; table: Promise<Map<string, number> | undefined> } | undefined;

/**
 * The send queue (bytes sent and not yet acknowledged by the peer) of the connection between
 * these endpoints, or undefined when the kernel does not tell (not Linux, or the entry is gone).
 * `now` identifies the asking sweep.
 */
export async function kernelSendQueue(
  localAddress: string,
  localPort: number,
  remoteAddress: string,
  remotePort: number,
  now: number,
): Promise<number | undefined> {
  // One read of the tables serves every connection of one sweep (they all ask with its `now`).
  if (cached?.at !== now) cached = { at: now, table: readTables() };
  const table = await cached.table;
  return table?.get(endpointKey(toHex16(localAddress), localPort, toHex16(remoteAddress), remotePort));
}

async function readTables(): Promise<Map<string, number> | undefined> {
  const table = new Map<string, number>();
  let any = false;
  for (const path of TABLES) {
    let text: string;
    try {
      text = await readFile(path, 'latin1');
    } catch {
      continue;
    }
    any = true;
    for (const line of text.split('\n').slice(1)) {
      // "  sl  local_address rem_address   st tx_queue:rx_queue ..."
      const fields = line.trim().split(/\s+/);
      const [local, remote, , queues] = fields.slice(1, 5);
      if (!local || !remote || !queues) continue;
      const [localIp, localPort] = local.split(':');
      const [remoteIp, remotePort] = remote.split(':');
      const tx = queues.split(':')[0];
      if (!localIp || !localPort || !remoteIp || !remotePort || !tx) continue;
      table.set(endpointKey(procToHex16(localIp), parseInt(localPort, 16), procToHex16(remoteIp), parseInt(remotePort, 16)), parseInt(tx, 16));
    }
  }
  return any ? table : undefined;
}

function endpointKey(localIp: string, localPort: number, remoteIp: string, remotePort: number): string {
  return `${localIp}:${localPort}-${remoteIp}:${remotePort}`;
}

/** /proc's address: 32-bit words in host (little-endian) order; IPv4 as one word. Gives 16 bytes of hex, IPv4 mapped. */
function procToHex16(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words
    .map((w) => (w.match(/../g) ?? []).reverse().join(''))
    .join('')
    .toLowerCase();
  return bytes.length === 8 ? `00000000000000000000ffff${bytes}` : bytes;
}

/** Node's address text (IPv4, IPv6, IPv4-mapped IPv6) as 16 bytes of hex. */
function toHex16(address: string): string {
  if (isIPv4(address)) return `00000000000000000000ffff${ipv4Hex(address)}`;
  let text = address.toLowerCase().split('%')[0] ?? '';
  const mapped = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (mapped) {
    const hex = ipv4Hex(mapped[2] as string);
    text = `${mapped[1]}${hex.slice(0, 4)}:${hex.slice(4)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((g) => g.padStart(4, '0')).join('');
}

function ipv4Hex(address: string): string {
  return address
    .split('.')
    .map((n) => Number(n).toString(16).padStart(2, '0'))
    .join('');
}
