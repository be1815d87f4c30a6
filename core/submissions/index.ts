/** Submissions and dataset rows. */
export type * from './submission-types.ts';
