// nginx as the bulk-transfer peer: one master and two workers serving one folder over keep-alive
// HTTP on two ports, one with `sendfile on` and one with `sendfile off`, from a config of its own.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable, freePort, LOOPBACK, spawnPeer, versionOf, type PeerProcess } from './process.js';

export const NGINX_INSTALL_HINT = 'apt-get install -y nginx';

export interface NginxPeer {
  /** The port with `sendfile on` (the kernel copies file → socket). */
  sendfilePort: number;
  /** The port with `sendfile off` (nginx reads into its buffers, then writes). */
  copyPort: number;
  version: string;
  /** The master's process id: the workers are its children. */
  pid: number;
  stop(): Promise<void>;
}

/** undefined when nginx is not installed. */
export function findNginx(): string | undefined {
  return findExecutable('nginx');
}

/**
 * Starts nginx serving `root` (which must be world-readable: as root, nginx's workers run as
 * nobody). Everything nginx writes (pid, error log, temp folders) goes under `workDir`.
 */
export async function startNginx(binary: string, root: string, workDir: string): Promise<NginxPeer> {
  mkdirSync(workDir, { recursive: true });
  chmodSync(workDir, 0o755);
  const [sendfilePort, copyPort] = [await freePort(), await freePort()];
  const config = join(workDir, 'nginx.conf');
  writeFileSync(config, nginxConfig({ root, workDir, sendfilePort, copyPort }));
  const peer: PeerProcess = await spawnPeer({
    name: 'nginx',
    command: binary,
    args: ['-c', config, '-p', workDir, '-e', join(workDir, 'error.log')],
    port: sendfilePort,
  });
  return { sendfilePort, copyPort, version: (await versionOf(binary, ['-v'])).replace(/^nginx version: /, ''), pid: peer.pid, stop: () => peer.stop() };
}

function nginxConfig(o: { root: string; workDir: string; sendfilePort: number; copyPort: number }): string {
  const temp = (name: string) => join(o.workDir, name);
  return `daemon off;
master_process on;
worker_processes 2;
pid ${temp('nginx.pid')};
error_log ${temp('error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  client_body_temp_path ${temp('client_body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  types { audio/mpeg mp3; }
  server {
    listen ${LOOPBACK}:${o.sendfilePort};
    root ${o.root};
    sendfile on;
    tcp_nopush on;
  }
  server {
    listen ${LOOPBACK}:${o.copyPort};
    root ${o.root};
    sendfile off;
  }
}
`;
}
