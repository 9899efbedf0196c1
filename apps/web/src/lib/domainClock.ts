import { useEffect, useState } from 'react';
import { answer, api } from '../api/http';

/**
 * The domain's time as the server keeps it (GET /clock): on a store holding the demo year the
 * server runs on the demo's clock (January 2024); in production it is the real time. Counting
 * deadlines or choosing "not before today" from the browser's date would be years off on a demo.
 * Read once per page load; the offset then follows the browser's clock. If the server cannot be
 * asked, the browser's time.
 */
let offset: Promise<number> | undefined;

function serverOffset(): Promise<number> {
  offset ??= answer(api.GET('/api/v1/clock')).then(
    (d) => Date.parse(d.now) - Date.now(),
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
