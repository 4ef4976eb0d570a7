// What every part of the composition root is built from: the config, the clock, the loggers, the state
// database (opened only by start()) and the one writer of task history. No part builds these itself.
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import type { Repos } from '../db/repos/index.js';
import type { Logger } from '../log.js';
import type { StateDatabase } from '../service/state-database.js';
import type { TaskLife } from '../tasks/life.js';

export interface Core {
  config: Config;
  clock: Clock;
  logger: Logger;
  /** A child logger per part, so a line says which service wrote it. */
  log(part: string): Logger;
  state: StateDatabase;
  /** Reaches the tables only once state.start() has opened the database. */
  repos: Repos;
  life: TaskLife;
}
