// After a user's submit is recorded: the preflight options are stored with the submission (resubmissions
// follow them) and small-quota warnings for its output and marker paths reach the reply and `show`.
import type { Logger } from '../log.js';
import type { PreflightConfig } from './config.js';
import { jobFacts } from './facts.js';
import { OPTIONS_KIND, type PreflightOptions } from './options.js';
import type { Profile } from './profile.js';
import { describeFinding, quotaWarnings } from './rules.js';
import type { PreflightEvent } from './scheduler.js';
import { directivesOf } from './script.js';

export interface AfterSubmitDeps {
  profile: Profile;
  settings: PreflightConfig;
  logger: Logger;
  record(e: PreflightEvent): void;
}

interface Reply {
  submissionId: number | null;
  markers: { doneMarker: string | null; progress: string | null };
  warnings: string[];
}

export async function afterSubmit<R extends Reply>(
  d: AfterSubmitDeps,
  body: { args: string[]; cwd: string; preflight?: PreflightOptions | undefined },
  reply: R,
): Promise<R> {
  const options = body.preflight ?? {};
  if (reply.submissionId !== null && Object.keys(options).length) {
    d.record({
      level: options.skip === undefined ? 'info' : 'warn',
      kind: OPTIONS_KIND,
      submissionId: reply.submissionId,
      message: [
        options.skip === undefined ? null : `preflight overridden (--no-preflight): ${options.skip}`,
        options.fitTime
          ? `fitted wall-time on resubmission${options.target ? `, target ${options.target} per task` : ''}`
          : null,
      ]
        .filter((s) => s !== null)
        .join('; '),
      data: { options },
    });
  }
  if (!d.settings.enabled || options.skip !== undefined) return reply;
  const directives = await directivesOf(body.args, body.cwd).catch((err: unknown) => {
    d.logger.debug({ err }, 'preflight: the batch script could not be read for its #SBATCH lines');
    return [];
  });
  const paths = jobFacts(body.args, directives, body.cwd).writePaths;
  for (const [option, p] of [
    ['--done-marker', reply.markers.doneMarker],
    ['--progress', reply.markers.progress],
  ] as const) {
    if (p !== null && !p.startsWith('log:')) paths.push({ option, path: p });
  }
  const found = quotaWarnings(paths, d.profile).map(describeFinding);
  if (!found.length) return reply;
  if (reply.submissionId !== null) {
    d.record({
      level: 'warn',
      kind: 'preflight.warning',
      submissionId: reply.submissionId,
      message: found.join('\n'),
      data: { warnings: found },
    });
  }
  return { ...reply, warnings: [...reply.warnings, ...found] };
}
