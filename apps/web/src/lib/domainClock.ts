import { useEffect, useState } from 'react';
import { request } from '../api/http';

/**
 * The domain's time as the server keeps it. On a store holding the demo year the server runs on
 * the demo's clock (January 2024, GET /demo says where it stands): counting deadlines or choosing
 * "not before today" from the browser's date would be years off. Elsewhere (404) it is the
 * browser's time. Read once per page load; the offset then follows the browser's clock.
 */
let offset: Promise<number> | undefined;

function serverOffset(): Promise<number> {
  offset ??= request<{ clock?: { now: string } }>('/demo').then(
    (d) => (d.clock ? Date.parse(d.clock.now) - Date.now() : 0),
    () => 0,
  );
  return offset;
}

/** Now on the domain's clock; the browser's now until the server has answered. */
export function useDomainNow(): Date {
  const [delta, setDelta] = useState(0);
  useEffect(() => {
    let live = true;
    void serverOffset().then((d) => live && setDelta(d));
    return () => {
      live = false;
    };
  }, []);
  return new Date(Date.now() + delta);
}
