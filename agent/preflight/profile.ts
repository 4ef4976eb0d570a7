// A site's partition table as the checks read it. Betzy's, from the users' guide ("Partition Rules" and
// "Critical Storage Layout"), is the default; the config replaces or adds partitions.
import type { PreflightConfig } from './config.js';
import { parseTimeSpec } from './time-spec.js';

export interface PartitionRule {
  /** MaxTime in minutes; null: no limit known. */
  maxMinutes: number | null;
  mem: 'allowed' | 'forbidden';
  gpus: 'required' | 'allowed' | 'forbidden';
  note: string | null;
}

export interface Profile {
  name: string;
  defaultPartition: string | null;
  partitions: Record<string, PartitionRule>;
  unknownPartition: 'warn' | 'refuse';
  smallQuotaPaths: string[];
  workSpace: string | null;
}

export const BETZY: Profile = {
  name: 'betzy',
  defaultPartition: 'normal',
  partitions: {
    normal: {
      maxMinutes: 4 * 1440,
      mem: 'forbidden',
      gpus: 'forbidden',
      note: 'CPU-only; memory comes with the CPUs, and --mem makes Betzy reject the job',
    },
    preproc: {
      maxMinutes: 1440,
      mem: 'allowed',
      gpus: 'forbidden',
      note: 'CPU-only, for I/O-bound data prep',
    },
    accel: { maxMinutes: 7 * 1440, mem: 'allowed', gpus: 'required', note: 'A100 40GB, 4 per node' },
  },
  unknownPartition: 'warn',
  smallQuotaPaths: ['/cluster/projects'],
  workSpace: '/cluster/work/users/$USER',
};

/** The table in force: the chosen profile with the config's partitions laid over it. */
export function profileFromConfig(c: PreflightConfig): Profile {
  const base: Profile =
    c.profile === 'betzy'
      ? BETZY
      : {
          name: 'none',
          defaultPartition: null,
          partitions: {},
          unknownPartition: 'warn',
          smallQuotaPaths: [],
          workSpace: null,
        };
  const partitions = { ...base.partitions };
  for (const [name, r] of Object.entries(c.partitions)) {
    partitions[name] = {
      maxMinutes: r.maxTime === undefined ? null : (parseTimeSpec(r.maxTime) ?? null),
      mem: r.mem,
      gpus: r.gpus,
      note: r.note ?? null,
    };
  }
  return {
    name: Object.keys(c.partitions).length ? `${base.name}+config` : base.name,
    defaultPartition: c.defaultPartition ?? base.defaultPartition,
    partitions,
    unknownPartition: c.unknownPartition,
    smallQuotaPaths: c.smallQuotaPaths ?? base.smallQuotaPaths,
    workSpace: c.workSpace ?? base.workSpace,
  };
}
