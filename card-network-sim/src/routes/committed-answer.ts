/** How a route answers a decision it has committed (authorizations and adjustments, card and points). */
import type { Request, Response } from 'express';
import type { Logger } from '../../../shared/logger.ts';
import type { FaultInjector } from '../faults.ts';

export interface CommittedOutcome<Body> {
  response: Body;
  /** False when a stored answer was replayed: it is not counted again. */
  decided: boolean;
}

/**
 * Counts a new decision, then answers it, unless fault injection drops the answer: that happens
 * after the commit on purpose, so the caller sees a reset for work that was done.
 */
export function answerCommitted<Body>(
  deps: { faults: FaultInjector; logger: Logger }, request: Request, response: Response,
  outcome: CommittedOutcome<Body>, countDecision: (answer: Body) => void,
): void {
  if (outcome.decided) countDecision(outcome.response);
  if (deps.faults.loseAnswer(request, response, deps.logger)) return;
  response.status(200).json(outcome.response);
}
