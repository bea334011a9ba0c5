/**
 * The service worker's route table: method + path pattern -> handler, the way a server maps its routes. Routes are
 * ranked by how specific they are, so the order features register them in never changes which one answers.
 */

/**
 * @typedef {{request: Request, url: URL, params: Record<string, string>}} RouteContext
 * @typedef {((ctx: RouteContext) => Promise<Response>) & {download?: boolean}} Handler download: it answers with a
 *   file to save (export.js), never a page
 * @typedef {{method: string, path: string, pattern: RegExp, names: string[], rank: string, handler: Handler}} Route
 */

/** An id in an app address (`:id`, `:uid`, …): a UUID as this app writes them, lowercase. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A path's rank: one letter per segment, `a` for a literal and `b` for a `:param`. Two routes that match the same
 * path have as many segments and the same literals where both have one, so the smaller rank is the more specific:
 * at the first segment where they differ, the literal wins (`/app/entries/new` before `/app/entries/:id`,
 * `/app/todo/:aid/feedback` before `/app/todo/:aid/:occurrence`).
 * @param {string} path
 */
export const rankOf = (path) => path.split('/').map((part) => (part.startsWith(':') ? 'b' : 'a')).join('');

/** The same path with every parameter's name left out: two routes with one shape match the same paths. */
const shapeOf = (path) => path.split('/').map((part) => (part.startsWith(':') ? ':' : part)).join('/');

export class Router {
  constructor() {
    /** @type {Route[]} most specific first */
    this.routes = [];
  }

  /**
   * Add a route. `path` is literal except `:name` segments, which match one path segment. A second route for the
   * same method and the same shape is refused: which of the two answered would depend on the order again.
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
    const route = { method: method.toUpperCase(), path, pattern: new RegExp(`^${source}$`), names, rank: rankOf(path),
      handler };
    const twin = this.routes.find((r) => r.method === route.method && shapeOf(r.path) === shapeOf(path));
    if (twin) throw new Error(`route ${route.method} ${path} is already taken by ${twin.path}`);
    // Kept sorted (stable: routes of equal rank never match the same path, so their order does not matter).
    const at = this.routes.findIndex((r) => r.rank > route.rank);
    this.routes.splice(at === -1 ? this.routes.length : at, 0, route);
    return this;
  }

  /**
   * The handler, parameters and path pattern of the most specific route for a request, or null. A path that
   * exists only under other methods answers with `methodNotAllowed` so the caller can reply 405 rather than fall
   * through to the network.
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
      return { handler: route.handler, params, path: route.path };
    }
    return pathMatched ? { methodNotAllowed: true } : null;
  }
}
