/**
 * The support bundle: one `mcp-tunnel-support-<UTC timestamp>.tar.gz` with
 *
 *   mcp-tunnel-support-<stamp>/manifest.json         version, time, window, files + sha256
 *   mcp-tunnel-support-<stamp>/README.txt            what each file is, secrets, how to share
 *   mcp-tunnel-support-<stamp>/config.redacted.json  (when configs are given)
 *   mcp-tunnel-support-<stamp>/logs.ndjson           entries within the window
 *   mcp-tunnel-support-<stamp>/metrics.prom          (when given)
 *   mcp-tunnel-support-<stamp>/status.json           (when given)
 *   mcp-tunnel-support-<stamp>/doctor.json           (when given)
 *
 * Defense in depth: structured parts go through the config/field redaction, and every file's
 * final text goes through redactText once more before it is packed.
 */
import type { BundleFileInfo, BundleResult } from '../../../preload/contract/dto.js';
import {
  bundleWindow,
  fileInfo,
  renderContentFiles,
  renderManifest,
  type SupportBundleInput,
} from './bundle-files.js';
import { createTarGz, type TarInput } from './bundle-tar.js';

export { SupportBundleError, DEFAULT_WINDOW_MINUTES, type SupportBundleInput } from './bundle-files.js';
export { listTar, readTar, type TarEntryInfo } from './bundle-tar.js';

export interface SupportBundle {
  fileName: string;
  bytes: Buffer;
  /** Every file in the archive (manifest first), without the folder prefix. */
  files: BundleFileInfo[];
}

/** `mcp-tunnel-support-20250102T030405Z` for 2025-01-02T03:04:05.678Z. */
export function bundleBaseName(now: number): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `mcp-tunnel-support-${stamp}`;
}

function render(input: SupportBundleInput) {
  const window = bundleWindow(input);
  const { files: content, logCount } = renderContentFiles(input, window);
  const manifest = renderManifest(input, window, content, logCount);
  return [manifest, ...content];
}

export async function createSupportBundle(input: SupportBundleInput): Promise<SupportBundle> {
  const files = render(input);
  const base = bundleBaseName(input.now);
  const entries: TarInput[] = [
    { name: `${base}/`, type: 'directory', mtimeMs: input.now },
    ...files.map((f) => ({ name: `${base}/${f.name}`, data: f.data, mtimeMs: input.now })),
  ];
  return { fileName: `${base}.tar.gz`, bytes: await createTarGz(entries), files: files.map(fileInfo) };
}

/** What createSupportBundle would include, with sizes, without building the archive. */
export function previewSupportBundle(input: SupportBundleInput): BundleFileInfo[] {
  return render(input).map(fileInfo);
}

/** The contract's shape (`bundle.create`): the archive as base64. */
export function toBundleResult(bundle: SupportBundle): BundleResult {
  return { fileName: bundle.fileName, base64: bundle.bytes.toString('base64'), files: bundle.files };
}
