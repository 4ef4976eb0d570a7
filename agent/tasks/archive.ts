// A person's tidying: a finished submission hidden from `ls` (`ls --all` shows it), or listed again. Its
// tasks, attempts and events stay as they are: `show` and `events` keep the whole history.
import type { SubmissionRow } from '../db/repos/index.js';
import type { TaskLife } from './life.js';

/** Archives the submission (hidden from `ls`) or, with `archive` false, lists it again. */
export function archived(life: TaskLife, sub: SubmissionRow, archive: boolean): void {
  life.atomically(() => {
    life.repos.submissions.setArchived(sub.id, archive ? life.clock.now() : null);
    life.record({
      level: 'info',
      kind: archive ? 'submission.archived' : 'submission.unarchived',
      submissionId: sub.id,
      message: archive ? 'archived: hidden from ls (ls --all shows it)' : 'listed in ls again',
    });
  });
}
