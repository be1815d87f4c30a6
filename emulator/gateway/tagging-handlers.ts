/**
 * GetObjectTagging, PutObjectTagging and DeleteObjectTagging: an object's tags, kept in its metadata
 * (object-tags.ts), changed without touching its body, its ETag or its Last-Modified, as on AWS.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html
 */
import { assertBucketExists, authorize, missingObject } from './access.ts';
import { withBodyText } from './bucket-handlers.ts';
import { sendEmpty, sendXml, type GatewayRequest, type GatewayServices } from './context.ts';
import { TAGGING_META } from './forward.ts';
import { existingTagContext, parseTaggingXml, requestTagContext, storedTags, tagsFromStored } from './object-tags.ts';
import { objectArn } from './operations.ts';
import { xmlDocument } from './xml.ts';

export async function getObjectTagging(s: GatewayServices, g: GatewayRequest, bucket: string, key: string) {
  assertBucketExists(s, bucket);
  const release = await s.locks.read(`${bucket}/${key}`);
  try {
    const object = await s.storage.headObject(bucket, key);
    if (!object) throw missingObject(s, g, bucket, key);
    const tags = tagsFromStored(object.metadata[TAGGING_META]);
    sendXml(g.res, 200, xmlDocument('Tagging', { TagSet: { Tag: tags.map(([Key, Value]) => ({ Key, Value })) } }));
  } finally {
    release();
  }
}

/** Authorised here, once the body is read: its tags are the request's `s3:RequestObjectTag/*` keys. */
export async function putObjectTagging(s: GatewayServices, g: GatewayRequest, bucket: string, key: string) {
  const tags = parseTaggingXml(await withBodyText(s, g, async (text) => text));
  assertBucketExists(s, bucket);
  const release = await s.locks.write(`${bucket}/${key}`);
  try {
    const object = await s.storage.headObject(bucket, key);
    const existing = existingTagContext(tagsFromStored(object?.metadata[TAGGING_META]));
    authorize(s, g, {
      action: 's3:PutObjectTagging',
      resource: objectArn(bucket, key),
      context: { ...existing, ...requestTagContext(tags) },
    });
    if (!object) throw missingObject(s, g, bucket, key);
    await replaceTags(s, bucket, key, storedTags(tags));
    sendEmpty(g.res, 200);
  } finally {
    release();
  }
}

export async function deleteObjectTagging(s: GatewayServices, g: GatewayRequest, bucket: string, key: string) {
  assertBucketExists(s, bucket);
  const release = await s.locks.write(`${bucket}/${key}`);
  try {
    if (!(await s.storage.headObject(bucket, key))) throw missingObject(s, g, bucket, key);
    await replaceTags(s, bucket, key, undefined);
    sendEmpty(g.res, 204);
  } finally {
    release();
  }
}

async function replaceTags(s: GatewayServices, bucket: string, key: string, stored: string | undefined) {
  await s.storage.rewriteMetadata(bucket, key, ({ [TAGGING_META]: _old, ...rest }) =>
    stored ? { ...rest, [TAGGING_META]: stored } : rest,
  );
}
