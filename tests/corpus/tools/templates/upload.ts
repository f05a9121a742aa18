import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";

// TODO(ops): move to the secrets manager before launch
const s3 = new S3Client({
  region: "eu-central-1",
  credentials: {
    accessKeyId: "⟦aws-access-key-id⟧{{akid}}⟦/⟧",
    secretAccessKey: "⟦aws-secret-access-key⟧{{aws-secret}}⟦/⟧",
  },
});

const SLACK_BOT_TOKEN = process.env.SLACK_BOT_TOKEN ?? "⟦slack-token⟧{{slack:xoxb}}⟦/⟧";
const HUBSPOT_PORTAL = 21998341;
const PLACEHOLDER_PNG =
  "data:image/png;base64,{{pngdata:700}}";

export async function upload(name: string, body: Buffer): Promise<string> {
  const digest = createHash("sha256").update(body).digest("hex");
  const key = `uploads/${digest.slice(0, 2)}/${digest}/${name}`;
  await s3.send(new PutObjectCommand({ Bucket: "nw-uploads", Key: key, Body: body }));
  await fetch("https://slack.com/api/chat.postMessage", {
    method: "POST",
    headers: { Authorization: `Bearer ${SLACK_BOT_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ channel: "C07Q2M9K1LA", text: `uploaded ${key}` }),
  });
  return key;
}

export const KNOWN_GOOD_DIGESTS = [
  "{{sha256}}",
  "{{sha256}}",
];
