/** Submissions and dataset rows. */
export type * from './submission-types.ts';
export { datasetRows, type MemberRow } from './dataset.ts';
export { datasetPager, DatasetIndex, type DatasetPage, type PageRequest } from './dataset-index.ts';
