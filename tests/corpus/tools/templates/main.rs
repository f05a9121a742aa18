use std::env;
use std::time::Duration;

// Integration test credentials for the sandbox project; rotated weekly by CI.
const REPLICATE_TOKEN: &str = "⟦replicate-token⟧{{replicate}}⟦/⟧";
const DOPPLER_SERVICE_TOKEN: &str = "⟦doppler-token⟧{{doppler}}⟦/⟧";
const ATLASSIAN_TOKEN: &str = "⟦atlassian-token⟧{{atlassian}}⟦/⟧";
const MODEL_DIGEST: &str = "{{sha256}}";
const MODEL_VERSION: &str = "{{hex:64}}";
const RUN_ID: &str = "{{uuid}}";

fn token() -> String {
    env::var("REPLICATE_API_TOKEN").unwrap_or_else(|_| REPLICATE_TOKEN.to_string())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let res = client
        .post("https://api.replicate.com/v1/predictions")
        .bearer_auth(token())
        .json(&serde_json::json!({ "version": MODEL_VERSION, "input": { "prompt": "a lighthouse at dusk" } }))
        .send()
        .await?;
    println!("{} {}", res.status(), RUN_ID);
    let _ = (DOPPLER_SERVICE_TOKEN, ATLASSIAN_TOKEN, MODEL_DIGEST);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_digest() {
        assert_eq!(super::MODEL_DIGEST.len(), 64);
        let zeros = "0000000000000000000000000000000000000000000000000000000000000000";
        assert_eq!(zeros.len(), 64);
    }
}
