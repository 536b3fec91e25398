// "Open in browser" for a published port, shared by the renderer, the tray
// and main's openExternal check (dependency-free, like the contract).

/** contract.ts's PortMapping (app/api modules import nothing, not even each other). */
interface PortMapping {
  protocol: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

/** Addresses that mean "every interface": the browser reaches them on the loopback. */
const ANY = new Set(['', '0.0.0.0', '::', '[::]']);

/** The page a published TCP port serves on this machine; null for UDP (no browser speaks it). */
export function publishedPortUrl(port: Pick<PortMapping, 'protocol' | 'hostIp' | 'hostPort'>): string | null {
  if (port.protocol !== 'tcp' || !Number.isInteger(port.hostPort) || port.hostPort < 1 || port.hostPort > 65535) return null;
  const host = ANY.has(port.hostIp) ? '127.0.0.1' : port.hostIp.includes(':') && !port.hostIp.startsWith('[') ? `[${port.hostIp}]` : port.hostIp;
  return `http://${host}:${port.hostPort}/`;
}

/** Short label as docker ps prints a mapping: 127.0.0.1:8080->80/tcp. */
export function portLabel(port: PortMapping): string {
  const host = ANY.has(port.hostIp) ? '0.0.0.0' : port.hostIp;
  return `${host}:${port.hostPort}->${port.containerPort}/${port.protocol}`;
}

/**
 * What main may hand to the system browser: http to a loopback address and
 * an explicit port, nothing else (no file:, no remote host a compromised
 * page could pick, no credentials in the URL).
 */
export function isLoopbackHttpUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || url.username || url.password || !url.port) return false;
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}
