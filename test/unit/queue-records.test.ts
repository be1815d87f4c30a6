/**
 * The records of an SQS message of S3 event notifications (emulator/engine/queue-listener.ts), each on
 * its own: a record whose key is not valid percent-encoding is named and skipped, and the valid record
 * beside it is still taken (the whole message threw, came back every visibility timeout, and the valid
 * record was never imported).
 */
import { describe, expect, it } from 'vitest';
import { createdObjects } from '../../emulator/engine/queue-listener.ts';

const record = (key: string) => ({
  eventName: 'ObjectCreated:Put',
  s3: { bucket: { name: 'drops' }, object: { key, eTag: 'abc', size: 3 } },
});

describe('the records of a queue message', () => {
  it('takes each valid record and names an unreadable one', () => {
    const body = JSON.stringify({ Records: [record('in/bad%zz.csv'), record('in/Spring+Sale%C3%A9.csv')] });
    expect(createdObjects(body)).toEqual({
      objects: [{ bucket: 'drops', key: 'in/Spring Saleé.csv', etag: 'abc', size: 3 }],
      unreadable: ['s3://drops/in/bad%zz.csv (its key is not valid percent-encoding)'],
    });
  });

  it("ignores S3's test event, a body that is not JSON, Records that is not a list, other events", () => {
    for (const body of [
      JSON.stringify({ Event: 's3:TestEvent' }),
      'not json',
      JSON.stringify({ Records: 'x' }),
      JSON.stringify({ Records: [null, { eventName: 'ObjectRemoved:Delete', s3: record('k').s3 }] }),
    ])
      expect(createdObjects(body)).toEqual({ objects: [], unreadable: [] });
  });
});
