/** The service worker's route table: method + path pattern -> handler, the way a server maps its routes. */

/**
 * @typedef {{request: Request, url: URL, params: Record<string, string>}} RouteContext
 * @typedef {(ctx: RouteContext) => Promise<Response>} Handler
 */

/** An id in an app address (`:id`, `:uid`, …): a UUID as this app writes them, lowercase. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class Router {
  constructor() {
    /** @type {{method: string, pattern: RegExp, names: string[], handler: Handler}[]} */
    this.routes = [];
  }

  /**
   * Add a route. `path` is literal except `:name` segments, which match one path segment.
   * @param {string} method @param {string} path @param {Handler} handler
   */
  add(method, path, handler) {
    const names = [];
    const source = path.split('/').map((part) => {
      if (part.startsWith(':')) {
        names.push(part.slice(1));
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }).join('/');
    this.routes.push({ method: method.toUpperCase(), pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  /**
   * The handler and parameters for a request, or null. A path that exists under another method answers
   * with `methodNotAllowed` so the caller can reply 405 rather than fall through to the network.
   * @param {string} method @param {string} pathname
   */
  match(method, pathname) {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method.toUpperCase()) continue;
      const params = {};
      try {
        route.names.forEach((name, i) => { params[name] = decodeURIComponent(m[i + 1]); });
      } catch {
        return null; // a malformed escape ("%E0") names nothing here
      }
      return { handler: route.handler, params };
    }
    return pathMatched ? { methodNotAllowed: true } : null;
  }
}
