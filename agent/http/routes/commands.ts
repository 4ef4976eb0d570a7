// Command routes: submit, adopt, hold, release, resubmit, cancel, archive. The work is done by the injected Commands.
import {
  AdoptBodySchema,
  AdoptReplySchema,
  SubmitBodySchema,
  SubmitReplySchema,
  TargetBodySchema,
  TargetReplySchema,
} from '../../api/schemas.js';
import type { AppDeps } from '../deps.js';
import { ERROR_REPLIES, type ZodApp } from './types.js';

const TARGET_DOC = 'a job id (1234, 1234_7) or #SUBMISSION[:INDEX]';

export function commandRoutes(app: ZodApp, deps: AppDeps): void {
  app.post(
    '/submissions',
    {
      schema: {
        operationId: 'submit',
        tags: ['commands'],
        summary: 'Submit a recipe with sbatch and track it',
        body: SubmitBodySchema,
        response: { 201: SubmitReplySchema, ...ERROR_REPLIES },
      },
    },
    // No remote address: the unix socket, which only the agent's user can open.
    async (req, reply) =>
      reply.code(201).send(await deps.commands.submit(req.body, req.socket.remoteAddress ? 'tcp' : 'unix')),
  );

  app.post(
    '/adopt',
    {
      schema: {
        operationId: 'adopt',
        tags: ['commands'],
        summary: 'Track a job submitted outside the agent, recovering its recipe from the scheduler',
        body: AdoptBodySchema,
        response: { 201: AdoptReplySchema, ...ERROR_REPLIES },
      },
    },
    async (req, reply) => reply.code(201).send(await deps.commands.adopt(req.body)),
  );

  const targeted = [
    ['/hold', 'Stop resuming a submission or task', (t: string) => deps.commands.hold(t)],
    ['/release', 'Resume again a held submission or task', (t: string) => deps.commands.release(t)],
    [
      '/resubmit',
      'Resubmit a failed, stalled or exhausted submission or task now',
      (t: string, force?: boolean) => deps.commands.resubmit(t, force === true),
    ],
    [
      '/cancel',
      "scancel a submission's or task's jobs; the tasks are never resumed",
      (t: string) => deps.commands.cancel(t),
    ],
    [
      '/archive',
      'Hide a finished submission from the list (its history stays; ls --all shows it)',
      (t: string) => deps.commands.archive(t),
    ],
    ['/unarchive', 'List an archived submission again', (t: string) => deps.commands.unarchive(t)],
  ] as const;
  for (const [url, summary, run] of targeted) {
    app.post(
      url,
      {
        schema: {
          // hold, release, resubmit, cancel, archive, unarchive
          operationId: url.slice(1),
          tags: ['commands'],
          summary,
          description: `target: ${TARGET_DOC}`,
          body: TargetBodySchema,
          response: { 200: TargetReplySchema, ...ERROR_REPLIES },
        },
      },
      (req) => run(req.body.target, req.body.force),
    );
  }
}
