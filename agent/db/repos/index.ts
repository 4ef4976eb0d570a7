// All repositories over one database connection.
import type { Database } from 'better-sqlite3';
import { AttemptRepo } from './attempts.js';
import { EventRepo } from './events.js';
import { IntentRepo } from './intents.js';
import { SubmissionRepo } from './submissions.js';
import { SubmitIntentRepo } from './submit-intents.js';
import { TaskRepo } from './tasks.js';

export interface Repos {
  db: Database;
  submissions: SubmissionRepo;
  tasks: TaskRepo;
  attempts: AttemptRepo;
  intents: IntentRepo;
  submitIntents: SubmitIntentRepo;
  events: EventRepo;
}

export function createRepos(db: Database): Repos {
  return {
    db,
    submissions: new SubmissionRepo(db),
    tasks: new TaskRepo(db),
    attempts: new AttemptRepo(db),
    intents: new IntentRepo(db),
    submitIntents: new SubmitIntentRepo(db),
    events: new EventRepo(db),
  };
}

export type * from './rows.js';
export type { SubmitIntentRow, SubmitRecipe } from './submit-intents.js';
