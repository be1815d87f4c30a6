/** The ARNs S3's resources have in policies. */
export const SERVICE_RESOURCE = 'arn:aws:s3:::*';
export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
