// Scheduler failures as the API reports them.
import { AgentError, isAgentError } from '../errors.js';

/** Wraps a scheduler failure in the catalogue's code for its kind; agent errors pass through. */
export function schedulerFailure(err: unknown, what: string): AgentError {
  if (isAgentError(err)) return err;
  const kind = (err as { kind?: string }).kind;
  const msg = err instanceof Error ? err.message : String(err);
  if (kind === 'permanent')
    return new AgentError('AGENT_ERR_SCHEDULER_REJECTED', `${what}: ${msg}`, { cause: err });
  if (kind === 'unavailable')
    return new AgentError('AGENT_ERR_SCHEDULER_UNAVAILABLE', `${what}: ${msg}`, { cause: err });
  if (kind === 'output')
    return new AgentError('AGENT_ERR_SCHEDULER_OUTPUT', `${what}: ${msg}`, { cause: err });
  return new AgentError('AGENT_ERR_SCHEDULER_TRANSIENT', `${what}: ${msg}`, { cause: err });
}
