/**
 * GetObjectTagging, PutObjectTagging and DeleteObjectTagging: the tags of an object version (the
 * latest, or the one `?versionId=` names), changed without touching its bytes, its ETag or its
 * Last-Modified, as on AWS.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html
 */
import { assertBucketExists, authorize } from './access.ts';
import { withBodyText } from './handler-body.ts';
import { sendEmpty, sendXml, type GatewayRequest, type GatewayServices } from './context.ts';
import { parseTaggingXml } from './object-tags.ts';
import { requestPermissions } from './operations/request-permissions.ts';
import type { ObjectVersion } from './store/object-record.ts';
import { versionToRead } from './versioning.ts';
import { xmlDocument } from './xml.ts';

function versionHeader(g: GatewayRequest, version: ObjectVersion): Record<string, string> {
  return version.versionId !== 'null' || g.operation.query.has('versionId')
    ? { 'x-amz-version-id': version.versionId }
    : {};
}

export async function getObjectTagging(s: GatewayServices, g: GatewayRequest, bucket: string, key: string) {
  assertBucketExists(s, bucket);
  const version = versionToRead(s, g, bucket, key);
  sendXml(
    g.res,
    200,
    xmlDocument('Tagging', { TagSet: { Tag: version.tags.map(([Key, Value]) => ({ Key, Value })) } }),
    versionHeader(g, version),
  );
}

/**
 * Authorized here, once the body is read: its tags are the request's `s3:RequestObjectTag/*` keys; with
 * `versionId`, s3:PutObjectVersionTagging on that version, with that version's tags.
 */
export async function putObjectTagging(s: GatewayServices, g: GatewayRequest, bucket: string, key: string) {
  const tags = parseTaggingXml(await withBodyText(s, g, async (text) => text));
  assertBucketExists(s, bucket);
  for (const permission of requestPermissions(s, g, g.rules, { requestTags: tags })) authorize(s, g, permission);
  const version = versionToRead(s, g, bucket, key);
  s.store.retag(bucket, key, version, tags);
  sendEmpty(g.res, 200, versionHeader(g, version));
}

export async function deleteObjectTagging(s: GatewayServices, g: GatewayRequest, bucket: string, key: string) {
  assertBucketExists(s, bucket);
  const version = versionToRead(s, g, bucket, key);
  s.store.retag(bucket, key, version, []);
  sendEmpty(g.res, 204, versionHeader(g, version));
}
