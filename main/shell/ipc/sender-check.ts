/**
 * Is this IPC message from one of our windows? Both must hold:
 *   - the sending WebContents is one the shell created (its id is registered), and
 *   - the sending frame is a top-level frame showing our renderer (same scheme and path as the
 *     renderer's index.html, or the same origin for an http(s)/custom-protocol renderer).
 * A frame that navigated elsewhere, an iframe, or another window fails the check.
 */

/** The parts of Electron's IpcMainInvokeEvent the check reads (Electron's event satisfies it). */
export interface SenderLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

export interface SenderCheckOptions {
  /** The renderer's entry URL, e.g. `file:///…/dist/renderer/index.html`. */
  rendererUrl: string;
  /** WebContents ids of the windows the shell owns, read at check time. */
  ownWebContents: () => ReadonlySet<number>;
}

export type SenderCheck = (event: SenderLike) => boolean;

export function createSenderCheck(options: SenderCheckOptions): SenderCheck {
  const expected = new URL(options.rendererUrl);
  return (event) => {
    if (!options.ownWebContents().has(event.sender.id)) return false;
    const frame = event.senderFrame;
    if (!frame || frame.parent) return false;
    return sameDocument(frame.url, expected);
  };
}

/** Same document as the renderer entry: the hash (the UI's route) may differ; nothing else. */
export function sameDocument(url: string, expected: URL): boolean {
  let actual: URL;
  try {
    actual = new URL(url);
  } catch {
    return false;
  }
  if (actual.protocol !== expected.protocol) return false;
  if (expected.protocol === 'file:')
    return actual.host === expected.host && actual.pathname === expected.pathname;
  return actual.origin === expected.origin && actual.origin !== 'null';
}
