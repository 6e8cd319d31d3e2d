import type {ExportSet} from '../../drivers/api.js'
import type {Shell} from '../../hosts/shell.js'

/**
 * Removes the scratch dir a driver made on the source for an export (flattened images), once its
 * files are verified where they went or the run is undone. Only a dir under /var/tmp or /tmp is
 * removed: the path comes from a journal, and a damaged one must not delete anything else.
 */
export async function removeExportScratch(source: Shell, exportSet: ExportSet | undefined): Promise<void> {
  const dir = exportSet?.scratchDir
  if (!dir || !/^\/(?:var\/)?tmp\/ocvm-[^/]+$/.test(dir)) return
  await source.exec(['rm', '-rf', '--', dir], {allowFailure: true, timeoutMs: 10 * 60_000})
}
