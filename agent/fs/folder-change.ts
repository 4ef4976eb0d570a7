// Whether a folder may have gained or lost entries since it was last looked into, from its mtime alone: one
// stat instead of a listing while nothing happens. Directory mtimes can have one-second resolution (Lustre):
// an entry added in the same second as a look leaves the mtime unchanged, so after any change the folder is
// looked into once more.
export class FolderChange {
  private mtimeMs: number | null = null;
  private recheck = false;

  /** Given the folder's mtime now: true when it must be looked into. */
  due(mtimeMs: number): boolean {
    if (mtimeMs === this.mtimeMs && !this.recheck) return false;
    this.recheck = mtimeMs !== this.mtimeMs;
    this.mtimeMs = mtimeMs;
    return true;
  }

  /** Forgets the last mtime (the folder went, or looking into it failed): the next due() is true. */
  reset(): void {
    this.mtimeMs = null;
    this.recheck = false;
  }
}
