// Pipeline files (agent/pipeline/): apply one (submits the steps not yet submitted; safe to run again) and
// show each step's state. 404 with a code when the agent was built without them (tests of other parts).
import {
  PipelineBodySchema,
  PipelineReplySchema,
  type PipelineBody,
  type PipelineReply,
} from '../../pipeline/api.js';
import { AgentError } from '../../errors.js';
import { ERROR_REPLIES, type ZodApp } from './types.js';

export interface PipelineRoutesDeps {
  apply(body: PipelineBody): Promise<PipelineReply>;
  status(body: Pick<PipelineBody, 'text' | 'dir'>): PipelineReply;
}

export function pipelineRoutes(app: ZodApp, deps: PipelineRoutesDeps | undefined): void {
  const need = (): PipelineRoutesDeps => {
    if (!deps) throw new AgentError('AGENT_ERR_NOT_FOUND', 'this agent has no pipelines');
    return deps;
  };
  app.post(
    '/pipelines/apply',
    {
      schema: {
        operationId: 'pipelineApply',
        tags: ['commands'],
        summary:
          "Submit a pipeline file's steps not yet submitted; a changed step is reported, not resubmitted",
        body: PipelineBodySchema,
        response: { 200: PipelineReplySchema, ...ERROR_REPLIES },
      },
    },
    (req) => need().apply(req.body),
  );
  app.post(
    '/pipelines/status',
    {
      schema: {
        operationId: 'pipelineStatus',
        tags: ['submissions'],
        summary: "Each step of a pipeline file: its submission, what it waits for, its tasks' states",
        body: PipelineBodySchema,
        response: { 200: PipelineReplySchema, ...ERROR_REPLIES },
      },
    },
    async (req) => need().status(req.body),
  );
}
