// The hash router: routes parsed from and written to the URL hash.
import { useEffect, useState } from 'react';

/** A place in the app, parsed from the URL hash (#/runs, #/run/ID, #/compare/A/B, #/audit/ID…). */
export type Route =
  | { view: 'runs' }
  | { view: 'run'; id: string }
  | { view: 'compare'; a: string | null; b: string | null; /** Runs 3 to 20 of an N-run compare. */ rest?: string[] }
  | { view: 'audit'; id: string | null }
  | { view: 'report'; kind: 'audit' | 'compare' | null; a: string | null; b: string | null; rest?: string[] }
  | { view: 'import' };

/** Parses a location hash into a route; unknown hashes go to Runs. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [head, x = null, y = null, z = null] = parts;
  switch (head) {
    case 'run':
      return x ? { view: 'run', id: x } : { view: 'runs' };
    case 'compare':
      return { view: 'compare', a: x, b: y, ...(parts.length > 3 ? { rest: parts.slice(3, 21) } : {}) };
    case 'audit':
      return { view: 'audit', id: x };
    case 'report':
      return {
        view: 'report',
        kind: x === 'audit' || x === 'compare' ? x : null,
        a: y,
        b: z,
        ...(parts.length > 4 ? { rest: parts.slice(4, 22) } : {}),
      };
    case 'import':
      return { view: 'import' };
    default:
      return { view: 'runs' };
  }
}

/** The hash of a route. */
export function routeHash(route: Route): string {
  const enc = (s: string | null): string => (s ? `/${encodeURIComponent(s)}` : '');
  switch (route.view) {
    case 'runs':
      return '#/runs';
    case 'run':
      return `#/run${enc(route.id)}`;
    case 'compare':
      return `#/compare${enc(route.a)}${route.a ? enc(route.b) : ''}${route.a && route.b ? (route.rest ?? []).map(enc).join('') : ''}`;
    case 'audit':
      return `#/audit${enc(route.id)}`;
    case 'report':
      return `#/report${route.kind ? `/${route.kind}${enc(route.a)}${enc(route.b)}${(route.rest ?? []).map(enc).join('')}` : ''}`;
    case 'import':
      return '#/import';
  }
}

/** Navigates to a route. */
export function go(route: Route): void {
  window.location.hash = routeHash(route);
}

/** The current route, following hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
