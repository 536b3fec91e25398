// Docker's daemon hijacks the connection of an attach or a non-detached exec
// start whether or not the client asked for an upgrade (moby's
// postContainersAttach and postContainerExecStart answer
// "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream" on the
// raw connection when there is no Upgrade header, and stream from there).
// Node has no public hijack for a plain request: its HTTP server keeps
// feeding what the client sends into the parser, so stdin would be parsed as
// a second request and answered with a 400. This takes the socket back the
// way Node's own upgrade path does (lib/_http_server.js, onParserExecuteCommon):
// the server's socket listeners off, the parser unconsumed and dropped.
import type http from 'node:http';
import type net from 'node:net';

interface HttpParserInternals {
  _consumed?: boolean;
  unconsume?(): void;
}

// The names Node 20 gives the listeners its server adds to every connection.
const SERVER_LISTENER = /^(bound )?(socketOnData|socketOnEnd|socketOnClose|socketOnDrain|socketOnError|socketOnTimeout|onSocketPause|onSocketResume)$/;

/** The raw connection under a plain (not upgraded) request, no longer read by the HTTP server. Call it once the request body is read. */
export function takeOverSocket(raw: http.IncomingMessage): net.Socket {
  const sock = raw.socket as net.Socket & { parser?: HttpParserInternals | null };
  const parser = sock.parser;
  if (parser?._consumed) parser.unconsume?.();
  if (parser) parser._consumed = false;
  for (const event of ['data', 'end', 'close', 'drain', 'error', 'timeout', 'pause', 'resume']) {
    for (const listener of sock.listeners(event)) {
      if (SERVER_LISTENER.test((listener as { name: string }).name)) sock.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  sock.parser = null;
  // As Node leaves an upgraded socket: not flowing until the new owner reads it, so nothing is lost before.
  Object.assign(sock, { readableFlowing: null });
  return sock;
}
