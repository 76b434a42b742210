/** Hash routing (`#/logs`): works from /ui/ over HTTP and from the Electron shell alike. */
import { useEffect, useState } from 'react';

export const PAGES = [
  'overview',
  'requests',
  'logs',
  'metrics',
  'bundle',
  'doctor',
  'wizard',
  'integrations',
] as const;
export type PageId = (typeof PAGES)[number];

export function pageFromHash(hash: string): PageId {
  const id = hash.replace(/^#\/?/, '').split(/[/?&]/)[0] ?? '';
  return (PAGES as readonly string[]).includes(id) ? (id as PageId) : 'overview';
}

export function useRoute(): PageId {
  const [page, setPage] = useState<PageId>(() => pageFromHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setPage(pageFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return page;
}
