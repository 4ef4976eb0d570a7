// `emb-client archive SUBMISSION`: a finished submission leaves `ls` (`ls --all` shows it); `unarchive`
// brings it back. Nothing is deleted.
import type { Repos } from '../db/repos/index.js';
import { AgentError } from '../errors.js';
import { archived } from '../tasks/archive.js';
import type { TaskLife } from '../tasks/life.js';
import { resolveTarget } from '../tasks/targets.js';

export interface ArchiveDeps {
  repos: Repos;
  life: TaskLife;
}

/** States in which a task may still run (or be sent again): such a submission is not finished. */
const UNFINISHED = new Set(['queued', 'running', 'resuming']);

export function archiveTarget(
  d: ArchiveDeps,
  target: string,
  archive: boolean,
): { submissionId: number; indices: number[]; message: string } {
  const { sub, task } = resolveTarget(d.repos, target);
  if (task && sub.arraySpec !== null) {
    throw new AgentError(
      'AGENT_ERR_BAD_REQUEST',
      `${archive ? 'archive' : 'unarchive'} takes a whole submission (#${sub.id} or its job id), not one task`,
    );
  }
  if (archive) {
    const live = d.repos.tasks.bySubmission(sub.id).filter((t) => UNFINISHED.has(t.state));
    if (live.length) {
      throw new AgentError(
        'AGENT_ERR_CONFLICT',
        `#${sub.id} is not finished: ${live.length} task(s) queued, running or waiting to resume; cancel it first, or archive it once it ends`,
      );
    }
  }
  archived(d.life, sub, archive);
  return {
    submissionId: sub.id,
    indices: [],
    message: archive
      ? 'archived: hidden from ls (ls --all shows it); show and events keep its history'
      : 'listed in ls again',
  };
}
