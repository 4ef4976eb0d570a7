// Read routes: health, submissions with their tasks, a submission's detail, job id lookup, events.
import {
  EventListSchema,
  EventsQuerySchema,
  HealthSchema,
  IdParamsSchema,
  JobParamsSchema,
  JobRefSchema,
  ListQuerySchema,
  ListReplySchema,
  SubmissionDetailSchema,
  SubmissionListSchema,
  SubmissionSummaryListSchema,
  type Submission,
  type SubmissionDetail,
  type SubmissionSummary,
} from '../../api/schemas.js';
import { AgentError } from '../../errors.js';
import { ListFilter } from '../../views/list-filter.js';
import { ListSummary } from '../../views/list-summary.js';
import type { AppDeps } from '../deps.js';
import { ERROR_REPLIES, type ZodApp } from './types.js';

/**
 * The list is the largest reply (10,000 tasks ≈ 1.6 MB) and the most asked for, and a 1,000-task detail is
 * next (≈ 1 MB). The read model returns the same object while the database is unchanged, so its validated
 * JSON is kept per object and sent as it is.
 */
function cachedJson<T extends object>(schema: { parse(value: unknown): unknown }): (value: T) => string {
  const cache = new WeakMap<T, string>();
  return (value) => {
    let json = cache.get(value);
    if (json === undefined) {
      json = JSON.stringify(schema.parse(value));
      cache.set(value, json);
    }
    return json;
  };
}

export function readRoutes(app: ZodApp, deps: AppDeps): void {
  const listJson = cachedJson<Submission[]>(SubmissionListSchema);
  const detailJson = cachedJson<SubmissionDetail>(SubmissionDetailSchema);
  const summaryJson = cachedJson<SubmissionSummary[]>(SubmissionSummaryListSchema);
  const listFilter = new ListFilter();
  const listSummary = new ListSummary();

  app.get(
    '/health',
    {
      schema: {
        operationId: 'getHealth',
        tags: ['agent'],
        summary: 'The agent, its scheduler and its database',
        response: { 200: HealthSchema, ...ERROR_REPLIES },
      },
    },
    () => deps.health(),
  );

  app.get(
    '/submissions',
    {
      schema: {
        operationId: 'listSubmissions',
        tags: ['submissions'],
        summary: 'Every submission with its tasks (state, attempts, latest job id, diagnosis)',
        description:
          'Archived submissions only with all=true; state, name and since narrow the list. ' +
          'view=summary: each submission with taskCount and its tasks grouped as ls shows them (groups), not tasks',
        querystring: ListQuerySchema,
        response: { 200: ListReplySchema, ...ERROR_REPLIES },
      },
    },
    async (req, reply) => {
      await deps.read.fresh?.();
      const list = listFilter.apply(deps.read.submissions(), req.query);
      const json = req.query.view === 'summary' ? summaryJson(listSummary.of(list)) : listJson(list);
      // A string with a JSON content type is sent untouched by fastify (the schema still documents the route).
      return reply.type('application/json; charset=utf-8').send(json as never);
    },
  );

  app.get(
    '/submissions/:id',
    {
      schema: {
        operationId: 'getSubmission',
        tags: ['submissions'],
        summary: "One submission with each task's attempt history and the submission's recent events",
        params: IdParamsSchema,
        response: { 200: SubmissionDetailSchema, ...ERROR_REPLIES },
      },
    },
    async (req, reply) => {
      await deps.read.fresh?.();
      const detail = deps.read.submission(req.params.id);
      if (!detail) throw new AgentError('AGENT_ERR_NOT_FOUND', `no submission #${req.params.id}`);
      return reply.type('application/json; charset=utf-8').send(detailJson(detail) as never);
    },
  );

  app.get(
    '/jobs/:jobId',
    {
      schema: {
        operationId: 'resolveJob',
        tags: ['submissions'],
        summary: 'The submission (and task) a Slurm job id belongs to',
        params: JobParamsSchema,
        response: { 200: JobRefSchema, ...ERROR_REPLIES },
      },
    },
    (req) => {
      const ref = deps.read.resolveJob(req.params.jobId);
      if (!ref)
        throw new AgentError('AGENT_ERR_NOT_TRACKED', `job ${req.params.jobId} is not tracked by this agent`);
      return ref;
    },
  );

  app.get(
    '/events',
    {
      schema: {
        operationId: 'listEvents',
        tags: ['events'],
        summary: 'Events, oldest first: the newest `limit`, or those after the id `after`',
        querystring: EventsQuerySchema,
        response: { 200: EventListSchema, ...ERROR_REPLIES },
      },
    },
    (req) =>
      deps.read.events({
        submissionId: req.query.submission,
        afterId: req.query.after,
        limit: req.query.limit,
      }),
  );
}
