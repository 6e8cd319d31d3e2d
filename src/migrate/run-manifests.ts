import {rmSync} from 'node:fs'
import path from 'node:path'

import type {Manifest} from '../transfer/manifest.js'
import {writeRecords} from '../transfer/record-files.js'
import type {TreeFiles} from '../transfer/tree-diff.js'
import {manifestRecords} from '../transfer/tree-records.js'

// A run's manifests are files next to its journal: the source's, which verify checks staging
// against and a re-run compares the source with, and scratch listings removed once used.

/** The source manifest of a root (what verify checks staging against), next to the journal. */
export function manifestFiles(journalDir: string, index: number): TreeFiles {
  return {listing: path.join(journalDir, `manifest-${index}.list`), hashes: path.join(journalDir, `manifest-${index}.sha256`), mtime: true}
}

/** Stores a manifest built in memory (an archive's) as the manifest verify checks staging against. */
export async function writeManifest(journalDir: string, index: number, manifest: Manifest): Promise<void> {
  const files = manifestFiles(journalDir, index)
  const {listing, hashes} = manifestRecords(manifest)
  await Promise.all([writeRecords(files.listing, listing), writeRecords(files.hashes, hashes)])
}

/** Scratch files next to the journal, removed once used. */
export function scratchFiles(journalDir: string, name: string, mtime: boolean): TreeFiles & {remove(): void} {
  const files = {listing: path.join(journalDir, `${name}.list`), hashes: path.join(journalDir, `${name}.sha256`)}
  return {...files, mtime, remove: () => Object.values(files).forEach((f) => rmSync(f, {force: true}))}
}

