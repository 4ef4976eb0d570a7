// Which filesystem a path lives on, and whether change events can be trusted there.
// inotify on a Lustre/NFS client only sees changes made by that client, never those of compute nodes.
import { statfs } from 'node:fs/promises';
import path from 'node:path';

export type FsKind = 'lustre' | 'nfs' | 'gpfs' | 'beegfs' | 'local' | 'unknown';
export type WatchMode = 'poll' | 'events';
export type ConfiguredMode = 'auto' | WatchMode;

// statfs(2) f_type magic numbers (linux/magic.h and the vendors' headers).
const NETWORK: ReadonlyMap<number, FsKind> = new Map([
  [0x0bd00bd0, 'lustre'],
  [0x6969, 'nfs'],
  [0x47504653, 'gpfs'],
  [0x19830326, 'beegfs'],
]);

// Filesystems whose only writer is this kernel, so inotify sees every change.
const LOCAL = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0x794c7630, // overlayfs
  0x2fc12fc1, // zfs
  0xf2f52010, // f2fs
  0x3153464a, // jfs
  0x52654973, // reiserfs
]);

/** The kind for a statfs f_type. Unsigned: some platforms report large magics as negative numbers. */
export function fsKindFromMagic(type: number): FsKind {
  const magic = type >>> 0;
  return NETWORK.get(magic) ?? (LOCAL.has(magic) ? 'local' : 'unknown');
}

/**
 * The filesystem kind of `p`. A path that does not exist yet (a log Slurm has not created) is judged by
 * its nearest existing ancestor. Unreadable paths give 'unknown', which polls: the safe choice.
 */
export async function detectFsKind(p: string): Promise<FsKind> {
  let current = path.resolve(p);
  for (;;) {
    try {
      return fsKindFromMagic((await statfs(current)).type);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const parent = path.dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) return 'unknown';
      current = parent;
    }
  }
}

/** Events only where the kernel sees every write (local filesystems); everything else is polled. */
export function chooseMode(kind: FsKind, configured: ConfiguredMode): WatchMode {
  if (configured !== 'auto') return configured;
  return kind === 'local' ? 'events' : 'poll';
}
