import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";

// TODO(ops): move to the secrets manager before launch
const s3 = new S3Client({
  region: "eu-central-1",
  credentials: {
    accessKeyId: "⟦aws-access-key-id⟧AKIAEAQBNFEAV5LTZP56⟦/⟧",
    secretAccessKey: "⟦aws-secret-access-key⟧xR1mEi3/u9oB4F96OTLUxAuHSbJpkED4O4jD6z+B⟦/⟧",
  },
});

const SLACK_BOT_TOKEN = process.env.SLACK_BOT_TOKEN ?? "⟦slack-token⟧xoxb-293165247944-9113017228238-tz3XDocQQsYZKWtEJs8afeDt⟦/⟧";
const HUBSPOT_PORTAL = 21998341;
const PLACEHOLDER_PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUlxagP+Mc2ZEx32a0vsu/YWpnzNZ7E+8eIM5wZBtHUQZbTFnFvCtzdiKLLD0ZQDwR9KnXYeatOGsHpQqRRNw2Vy8jVDnkPxTw1v/9meeCu5IXfptQCQ8+qSeajYDM+EchxUOkghuN4IO/BJYZi+uR62W65haPextucPtS8rHbgXC8uaCNS35edDgPigcEJwQuhZCBwRKL6vjQXzFo/Cb44SiJu6gRNP/LrzKcOqnxcBpivUM6wPlQ48KeDNpzR6OwbhPJBJrBd/CqpTFqyb2t8jsL4pFBWkPEYsP0CrFfEtFf0cdz8BB0XpQndvTIKip+wW8KUZrExjp/ydJZWbeOiKeH/BjMibbTePVZ6i+R5sY6MSOo4CsM//Z1cdB7cR54JCroevzRNaFf0rhSZCTy6fvj+BTa5HeC7nbQm+yaN8Vi1ad/6tHEJ0gMqWYSzkXKeUoSqdjE5b6+oVjLB+tH2TZuox7keDT4z9VX+3CN2HoUMgJP0uBJwq5r1+w/5Pmgq9ZYDRu89nN6Zy6vufZiLcHaLtqEit4RVzAGsDO96WJpIzLiGG5AmaDvaDvlilK0Cbvzy8oTryyNyKqD2HzMODK8i7Ub0CJEkDbkoM63fe3OdKk6AH+lqFKmV+9mvF10BtgkY+mYDyzo4ncIwZUNsHbM9rPBgnpC7n6M8RvwH0/MeWVh0026bG2QdkOCakPVoETIdbfOowGS34O/jOt0Dylt8YXjybgDZyrJ32tayly0WYjZVXvjGyJlymSkw7/QSU5VCjPpwS91Hf22ca3VbE8MyYjlBibnqHPmDAoT6hOt7vPCtZ/GzPLveYYy3hLBY9VVYDFixG/if6qf1FnSy6/dp2BaUUJ1SL/vM+OvvcmmGu2bJPlN2j6ZOFPjxF4VO0E/wsYcaKPl44INoIFVG28KAkoIG3a7k5kPRU=";

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
  "faf80d60acff2f78873a52a99a9e936e68658d89479ae2102678024090c8a25a",
  "72800b254488dfd2e8b687c7d3148518f376a48bb72cce5ec1a78573eeebdc74",
];
