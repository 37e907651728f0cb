// Creates the staging bucket on the local MinIO if it does not exist yet.
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client, s3SettingsFromEnv } from '@ferry/s3';

async function main() {
  const bucket = process.env.FERRY_S3_BUCKET ?? 'ferry-staging';
  const s3 = createS3Client(s3SettingsFromEnv());
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    console.log(`stack: created bucket ${bucket}`);
  }
}

main().catch((err) => {
  console.error(`stack: could not create the staging bucket: ${err.message}`);
  process.exit(1);
});
