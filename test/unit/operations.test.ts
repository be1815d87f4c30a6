import { describe, expect, it } from 'vitest';
import type { GatewayRequest, GatewayServices } from '../../emulator/gateway/context.ts';
import { classifyRequest } from '../../emulator/gateway/operations/classify.ts';
import { requestPermissions } from '../../emulator/gateway/operations/request-permissions.ts';

/** No object stored: the tags a rule reads are none. */
const noObjects = { store: { latest: () => undefined, version: () => undefined } } as unknown as GatewayServices;

const sorted = (context: object) =>
  Object.fromEntries(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function permissionsOf(method: string, path: string, headers: Record<string, string> = {}) {
  const [rawPath, rawQuery = ''] = path.split('?');
  const [, bucket, ...rest] = rawPath!.split('/');
  const key = rest.length ? rest.join('/') : undefined;
  const query = new Map(
    rawQuery
      .split('&')
      .filter(Boolean)
      .map((p) => [p.split('=')[0]!, decodeURIComponent(p.split('=')[1] ?? '')] as [string, string]),
  );
  const { operation, entry } = classifyRequest(
    method,
    bucket || undefined,
    key || undefined,
    query,
    (name) => headers[name],
  );
  const g = { operation, req: { headers } } as unknown as GatewayRequest;
  const permissions = entry.authorizedBy === 'handler' ? [] : requestPermissions(noObjects, g, entry.permissions);
  return [
    operation.name,
    ...permissions.map(
      (p) => `${p.action} ${p.resource}${Object.keys(p.context).length ? ` ${JSON.stringify(sorted(p.context))}` : ''}`,
    ),
  ];
}

describe('operations and the permissions they need', () => {
  it.each([
    ['GET', '/', ['ListBuckets', 's3:ListAllMyBuckets arn:aws:s3:::*']],
    ['PUT', '/b', ['CreateBucket', 's3:CreateBucket arn:aws:s3:::b']],
    ['DELETE', '/b', ['DeleteBucket', 's3:DeleteBucket arn:aws:s3:::b']],
    ['HEAD', '/b', ['HeadBucket', 's3:ListBucket arn:aws:s3:::b']],
    [
      'GET',
      '/b?list-type=2&prefix=us%2F&delimiter=%2F',
      ['ListObjectsV2', 's3:ListBucket arn:aws:s3:::b {"s3:delimiter":"/","s3:prefix":"us/"}'],
    ],
    ['GET', '/b?max-keys=5', ['ListObjects', 's3:ListBucket arn:aws:s3:::b {"s3:max-keys":"5"}']],
    ['GET', '/b?versions', ['ListObjectVersions', 's3:ListBucketVersions arn:aws:s3:::b']],
    ['GET', '/b?location', ['GetBucketLocation', 's3:GetBucketLocation arn:aws:s3:::b']],
    ['GET', '/b?uploads', ['ListMultipartUploads', 's3:ListBucketMultipartUploads arn:aws:s3:::b']],
    ['PUT', '/b?policy', ['PutBucketPolicy', 's3:PutBucketPolicy arn:aws:s3:::b']],
    ['GET', '/b/k.csv', ['GetObject', 's3:GetObject arn:aws:s3:::b/k.csv']],
    ['HEAD', '/b/k.csv', ['HeadObject', 's3:GetObject arn:aws:s3:::b/k.csv']],
    ['PUT', '/b/k.csv', ['PutObject', 's3:PutObject arn:aws:s3:::b/k.csv']],
    ['POST', '/b/k.csv?uploads', ['CreateMultipartUpload', 's3:PutObject arn:aws:s3:::b/k.csv']],
    ['PUT', '/b/k.csv?partNumber=1&uploadId=u', ['UploadPart', 's3:PutObject arn:aws:s3:::b/k.csv']],
    ['POST', '/b/k.csv?uploadId=u', ['CompleteMultipartUpload', 's3:PutObject arn:aws:s3:::b/k.csv']],
    ['DELETE', '/b/k.csv?uploadId=u', ['AbortMultipartUpload', 's3:AbortMultipartUpload arn:aws:s3:::b/k.csv']],
    ['GET', '/b/k.csv?uploadId=u', ['ListParts', 's3:ListMultipartUploadParts arn:aws:s3:::b/k.csv']],
    ['DELETE', '/b/k.csv', ['DeleteObject', 's3:DeleteObject arn:aws:s3:::b/k.csv']],
    ['POST', '/b?delete', ['DeleteObjects']],
  ] as const)('%s %s', (method, path, expected) => {
    expect(permissionsOf(method, path)).toEqual(expected);
  });

  it('needs GetObject on the source and PutObject on the destination to copy, with the SSE condition key', () => {
    expect(
      permissionsOf('PUT', '/dst/new.csv', {
        'x-amz-copy-source': '/src/a%20b.csv',
        'x-amz-server-side-encryption': 'AES256',
      }),
    ).toEqual([
      'CopyObject',
      's3:GetObject arn:aws:s3:::src/a b.csv',
      's3:PutObject arn:aws:s3:::dst/new.csv {"s3:x-amz-copy-source":"/src/a%20b.csv","s3:x-amz-server-side-encryption":"AES256"}',
    ]);
  });

  it('maps the tagging operations; a write with x-amz-tagging also needs s3:PutObjectTagging, with the request tag keys', () => {
    expect(permissionsOf('GET', '/b/k?tagging')).toEqual(['GetObjectTagging', 's3:GetObjectTagging arn:aws:s3:::b/k']);
    expect(permissionsOf('DELETE', '/b/k?tagging')).toEqual([
      'DeleteObjectTagging',
      's3:DeleteObjectTagging arn:aws:s3:::b/k',
    ]);
    // PutObjectTagging is authorised by its handler, once its body (the tags) is read.
    expect(permissionsOf('PUT', '/b/k?tagging')).toEqual(['PutObjectTagging']);
    const tagged = permissionsOf('PUT', '/b/k', { 'x-amz-tagging': 'team=data&stage=raw' });
    const context =
      '{"s3:RequestObjectTag/stage":"raw","s3:RequestObjectTag/team":"data","s3:RequestObjectTagKeys":["team","stage"]}';
    expect(tagged).toEqual([
      'PutObject',
      `s3:PutObject arn:aws:s3:::b/k ${context}`,
      `s3:PutObjectTagging arn:aws:s3:::b/k ${context}`,
    ]);
  });

  it('refuses what it does not emulate, never ignoring it', () => {
    expect(() => permissionsOf('PUT', '/b?tagging')).toThrow(/PutBucketTagging is not emulated/);
    expect(() => permissionsOf('PUT', '/b/k?retention')).toThrow(/not emulated/);
    expect(() => permissionsOf('POST', '/b')).toThrow(/POST Object/);
    expect(() => permissionsOf('PUT', '/b?lifecycle')).toThrow(/not emulated/);
  });
});
