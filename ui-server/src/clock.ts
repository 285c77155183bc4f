/** Time as a dependency, so card-expiry checks can be tested on a fixed date. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
