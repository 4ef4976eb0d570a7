// POST /notify/test: one test message to every configured notification target, and how each went.
import { NotifyTestReplySchema, type NotifyTestReply } from '../../api/notify.js';
import { AgentError } from '../../errors.js';
import { ERROR_REPLIES, type ZodApp } from './types.js';

/** The notifier as the API sees it (agent/notify's Notifier). */
export interface NotifyDeps {
  readonly enabled: boolean;
  test(): Promise<NotifyTestReply['results']>;
}

export function notifyRoutes(app: ZodApp, notify: NotifyDeps | undefined): void {
  app.post(
    '/notify/test',
    {
      schema: {
        operationId: 'testNotify',
        tags: ['notify'],
        summary: 'Send one test message to every notification target (notify.webhooks, notify.mail)',
        response: { 200: NotifyTestReplySchema, ...ERROR_REPLIES },
      },
    },
    async () => {
      if (!notify?.enabled) {
        throw new AgentError(
          'AGENT_ERR_NOT_FOUND',
          'no notification target is configured (notify.webhooks, notify.mail)',
        );
      }
      return { results: await notify.test() };
    },
  );
}
