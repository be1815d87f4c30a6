/**
 * The integration editor's bucket field, as the product's: "List Buckets" lists the account's buckets with
 * its keys (through the gateway, so its policy decides); when that is denied it shows the permission
 * warning and the user picks "Manual Bucket Entry" (docs/web-ui.md).
 */
import { s3Sdk } from '../s3-sdk.ts';
import { toS3Failure } from '../engine/account-s3.ts';
import { clientWithKeys } from '../s3-client.ts';
import type { UiContext } from './context.ts';
import { html, type Html } from './html.ts';

/** Changing the account lists again, with the new keys. */
export const REFRESH_BUCKETS = html`hx-get="/connect/bucket-field" hx-target="#bucket-field" hx-swap="outerHTML" hx-include="closest form"`;

/** The account's buckets, listed with its keys through the gateway, or the error S3 gave. */
async function listBuckets(
  ctx: UiContext,
  accountName: string,
  region: string,
): Promise<{ ok: true; buckets: string[] } | { ok: false; message: string; explanation?: string }> {
  const account = ctx.workspace.accounts.find((a) => a.name === accountName);
  if (!account) return { ok: false, message: 'Choose an account.' };
  const client = clientWithKeys(ctx.endpoint, region || ctx.workspace.region, account);
  try {
    return {
      ok: true,
      buckets: ((await client.send(new (s3Sdk().ListBucketsCommand)({}))).Buckets ?? []).map((b) => b.Name ?? ''),
    };
  } catch (error) {
    const failure = toS3Failure(error);
    return {
      ok: false,
      message: `${failure.code}: ${failure.message}`,
      ...(failure.explanation ? { explanation: failure.explanation } : {}),
    };
  } finally {
    client.destroy();
  }
}

/** The bucket fieldset: the two modes, and the dropdown, the warning, or the name to type. */
export async function bucketField(
  ctx: UiContext,
  values: { account: string; region: string; bucketMode: string; bucket: string },
): Promise<Html> {
  const refresh = REFRESH_BUCKETS;
  const mode = values.bucketMode === 'manual' ? 'manual' : 'list';
  const radios = html`
  <label><span><input type="radio" name="bucketMode" value="list" ${refresh}${mode === 'list' ? html` checked` : ''}> List Buckets</span></label>
  <label><span><input type="radio" name="bucketMode" value="manual" ${refresh}${mode === 'manual' ? html` checked` : ''}> Manual Bucket Entry</span></label>`;
  const manualInput = html`<label>Bucket name <input name="bucket" value="${values.bucket}" placeholder="the bucket name, no leading or trailing slash" required></label>`;
  if (mode === 'manual')
    return html`<fieldset id="bucket-field"><legend>Bucket</legend>${radios}${manualInput}</fieldset>`;
  const listed = await listBuckets(ctx, values.account, values.region);
  if (!listed.ok) {
    return html`<fieldset id="bucket-field"><legend>Bucket</legend>${radios}
  <div class="panel error" role="alert"><strong>Permission warning</strong>: account "${values.account}" cannot list its buckets with its keys (s3:ListAllMyBuckets).
  Select "Manual Bucket Entry" and enter the bucket name.<br><span class="muted">${listed.message}${listed.explanation ? html`<br>Why: ${listed.explanation}` : ''}</span></div></fieldset>`;
  }
  return html`<fieldset id="bucket-field"><legend>Bucket</legend>${radios}
  <label>Bucket <select name="bucket" required>${listed.buckets.map((b) => html`<option${b === values.bucket ? html` selected` : ''}>${b}</option>`)}</select></label></fieldset>`;
}
