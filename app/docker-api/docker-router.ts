// The route table of the Docker API adapter: one entry per endpoint, so the
// list of what is served lives in one place (and docs/docker-api.md is
// checked against it by a test).
import type http from 'node:http';
import type net from 'node:net';
import type { DockerRequest } from './docker-http.js';

export type PlainHandler = (req: DockerRequest, res: http.ServerResponse) => Promise<void>;
/**
 * Endpoints that take over the connection (attach, exec start): docker's
 * HTTP hijack. The handler calls `accept` once it has checked the request,
 * so a bad one still gets an HTTP error instead of a dead stream.
 */
export type HijackHandler = (req: DockerRequest, socket: net.Socket, accept: () => void) => Promise<void>;

export interface Route {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  pattern: string;
  handler?: PlainHandler;
  hijack?: HijackHandler;
  /** For a route with both: whether a request without an upgrade gets the plain handler (exec start with Detach) rather than the hijack. */
  plainWhen?: (req: DockerRequest) => Promise<boolean>;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export class DockerRouter {
  private readonly routes: CompiledRoute[] = [];

  add(...routes: Route[]): this {
    for (const r of routes) {
      const names: string[] = [];
      // {name} matches one segment; {name*} the rest of the path (image names have slashes).
      const source = r.pattern.replace(/[.]/g, '\\.').replace(/\{(\w+)(\*?)\}/g, (_m, name: string, rest: string) => {
        names.push(name);
        return rest ? '(.+?)' : '([^/]+)';
      });
      this.routes.push({ ...r, regex: new RegExp(`^${source}$`), names });
    }
    return this;
  }

  /** The route for a method and path, with its path parameters; HEAD falls back to GET. */
  match(method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | { allowed: boolean } {
    let pathMatched = false;
    for (const wanted of method === 'HEAD' ? ['HEAD', 'GET'] : [method]) {
      for (const route of this.routes) {
        const m = route.regex.exec(path);
        if (!m) continue;
        pathMatched = true;
        if (route.method !== wanted) continue;
        const params: Record<string, string> = {};
        route.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] as string)));
        return { route, params };
      }
    }
    return { allowed: pathMatched };
  }

  list(): ReadonlyArray<Route> {
    return this.routes;
  }
}
