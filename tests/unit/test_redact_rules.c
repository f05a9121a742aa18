// SPDX-License-Identifier: Apache-2.0
/*
 * Per-kind rule tables for the redaction engine.  Every kind of KINDS.md has at least two
 * positives and two close negatives.  A positive is a line with "⟦kind⟧value⟦/⟧" labels
 * (tests/lib/redact_labels.h): the engine must report exactly the labelled spans, each with
 * its kind, and nothing else.  A negative must produce no finding at all.
 *
 * Values with a checksum were made by tests/corpus/tools/gen.py --sample (GitHub and npm
 * CRC32, Luhn, mod-97, SSN ranges); they are fake.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "redact_labels.h"

struct rcase {
	const char *kind; /* the kind this case is about */
	const char *text;
};

/* clang-format off */
static const struct rcase positives[] = {
	{ "aws-access-key-id", "AWS_ACCESS_KEY_ID=⟦aws-access-key-id⟧AKIA5LGKRLNROZ6W6734⟦/⟧" },
	{ "aws-access-key-id", "\"AccessKeyId\": \"⟦aws-access-key-id⟧ASIAWTA3O4YMQHJAAMPX⟦/⟧\"," },
	{ "aws-secret-access-key", "aws_secret_access_key = ⟦aws-secret-access-key⟧A5YGO5jfKNhtjlpBrvHF4LwA6J9S5dGO97zu5T6U⟦/⟧" },
	{ "aws-secret-access-key", "export AWS_SECRET_ACCESS_KEY=\"⟦aws-secret-access-key⟧T21rqhuRmk1z8RKDPYu2LinKiB+8go3/c9ETjx0t⟦/⟧\"" },
	{ "aws-session-token", "aws_session_token = ⟦aws-session-token⟧IQoJb3JpZ2luX2VjEWVHPNRwY0q+QMETuQ5Yc//////////Kz32C6O7lqf1tM0UP2L81F0KNYrCQoA4p36zCX0/Whv246rithe2mscsQtIRuc+9BjvGK2eKZPA8nZzQFRQ8cPc+guJjurL4lwYLxhgux3+3gpmCfypLgVqTUKyaDxGAS6HHe6TZe0XADPs3530ErrU+B/QNYjuYs3GHhisK/bgyT7eclQLeskhC4yCTGpKXfUvGxEAuwM2yKyqzkCSuqCT7h/g7te89uVjW9yJLXG+9WpfnwSdM3TzWlsGEOOMgNQEGG+MoMVcXaorVRkjRKc4SAtefadA/qM7AUy8nLmFz=⟦/⟧" },
	{ "aws-session-token", "{\"SessionToken\":\"⟦aws-session-token⟧IQoJb3JpZ2luX2VjExvzsEeHy9mVR6lHBsEOm//////////5SCz2rAkwcRyJl7+27etp4A8u6gmtdRbI2wtkkrrWu6lkRz7WoJkC0ezpQC00TFdaSD9qOFZvDz6gmH4W0qx0ggWzaLUV4rGDO7/2uoa2zrPz8roHwSSNM10Sgm9CLPBKuD/Ua8vhq6b5v8yQNkmx3d9okysCwAT7uOF4Z+hczXFoatGFIMmooto9VOHy1B5uArKNLfZjP8Tm7ogJUqnI8riUQODNVBPtSQsEfHg1KEzw2bilPeQcEwVsRi/UlraYuWxNP574S1aLr6Bg9uDNQLmcCOvYy/9niaC1xSvmS6y=⟦/⟧\"}" },
	{ "gcp-api-key", "GOOGLE_MAPS_KEY=⟦gcp-api-key⟧AIzaSy-xJooSR7GuLCYCTHuZ70FjbrPKLJ3QmC2⟦/⟧" },
	{ "gcp-api-key", "GET /maps/api/geocode/json?address=Berlin&key=⟦gcp-api-key⟧AIzaSynzYuCA_iACt2YMXxqSoyU78tH_uLa9dgf⟦/⟧ HTTP/1.1" },
	{ "azure-storage-key", "\"AccountKey\": \"⟦azure-storage-key|azure-connection-string⟧hqN61jo45ce7BrzdcbNedFqXrMSWoIGMSUcWTt4X8M6EOPuBZzKxRPORTxLDV7DRKX4vqBgyISigsm7CgjM7hQ==⟦/⟧\"" },
	{ "azure-storage-key", "AZURE_STORAGE_KEY=⟦azure-storage-key⟧3CpTxs6vmizy3exTc8SP00IBEP2aj1Sjye1DRWj1Azp3vLRf9S57wULppm7ZqXdyVCMffybVr+rFOjjgcs++cw==⟦/⟧" },
	{ "azure-connection-string", "DefaultEndpointsProtocol=https;AccountName=nworders;AccountKey=⟦azure-connection-string|azure-storage-key⟧legaUlXETPp1o/TbjpzNuo4CdA+TvJJuo5/ocVtkIbaFwRXKhsRx1/tNWB0ahyGO8dR6Pyagw5z05iXKYREl7w==⟦/⟧;EndpointSuffix=core.windows.net" },
	{ "azure-connection-string", "Endpoint=sb://nw-orders.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=⟦azure-connection-string|azure-storage-key⟧9c6D0dpOm9vvOQHgZHyOpF11gfTSP0+r7CbKdzieIvs=⟦/⟧" },
	{ "github-token", "GITHUB_TOKEN=⟦github-token⟧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⟦/⟧" },
	{ "github-token", "Authorization: Bearer ⟦github-token⟧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⟦/⟧" },
	{ "github-token", "export GH_TOKEN=⟦github-token⟧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⟦/⟧" },
	{ "gitlab-token", "GITLAB_TOKEN=⟦gitlab-token⟧glpat-2nQc-GLK8MRBkYoiwqsj⟦/⟧" },
	{ "gitlab-token", "https://oauth2:⟦gitlab-token⟧glrt-g5-nYCn6JooghTkf-22p⟦/⟧@gitlab.com/northwind/orders.git" },
	{ "bitbucket-token", "BITBUCKET_APP_PASSWORD: ⟦bitbucket-token⟧ATBBT73uplEsk7oVo193YHG5Lah6BF005DE0⟦/⟧" },
	{ "bitbucket-token", "git clone https://x-token-auth:⟦bitbucket-token⟧ATBBW21kdglaPDUDGFgqLzvo93Dk69941632⟦/⟧@bitbucket.org/nw/orders.git" },
	{ "slack-token", "SLACK_BOT_TOKEN=⟦slack-token⟧xoxb-672075768634-8681218315885-NGy5O0W2fEVZAfYox4xQeY2d⟦/⟧" },
	{ "slack-token", "user_token = \"⟦slack-token⟧xoxp-790783704001-369150981595-9005191183957-2d6af58b1540d5ee2748d2019bf1f4ce⟦/⟧\"" },
	{ "slack-token", "app: ⟦slack-token⟧xapp-1-A0GCON2I1II-3737870330480-fdf77ecc370a1272e709d2c6ac5c50937d4d4699ae199806db3649e0fc613369⟦/⟧" },
	{ "slack-webhook", "SLACK_WEBHOOK_URL=⟦slack-webhook⟧https://hooks.slack.com/services/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⟦/⟧" },
	{ "slack-webhook", "curl -X POST -d @msg.json ⟦slack-webhook⟧https://hooks.slack.com/services/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⟦/⟧" },
	{ "discord-webhook", "alerts_webhook = \"⟦discord-webhook⟧https://discord.com/api/webhooks/1152056716186145515/pFsU6JZLHP8ntMw4oDJsuuTzxxgTqbRVMzHGb86q6h8_FYKtwMhrEuqS6I0ATprEMK2K⟦/⟧\"" },
	{ "discord-webhook", "POST ⟦discord-webhook⟧https://discord.com/api/webhooks/1833603149002372477/0PABnsbgJw4C3985A9SkD03CDc7EU1uMtO-rZaTsj_AsTVXsCPuIDfbWmHU4hoZrmEJN⟦/⟧ -> 204" },
	{ "discord-bot-token", "DISCORD_TOKEN=⟦discord-bot-token⟧MTU2NDY1NzQzMTMwOTQ2NTk0Ng.yAKoRn.RDX-021ONKeozigvPhmutoLVg5oj_UbTHIDmeC⟦/⟧" },
	{ "discord-bot-token", "Authorization: Bot ⟦discord-bot-token⟧MTY4NDk0NjgxMzY3MDg4NTQ1Ng.i1SU--.2yleG-iRy8JIIxIgs-rkavweIcVrPTTh7UxlLL⟦/⟧" },
	{ "telegram-bot-token", "TELEGRAM_BOT_TOKEN=⟦telegram-bot-token⟧6071222917:AAhNyEUCJ0LfFBW3VZ9P70_a5Gehhpy29Li⟦/⟧" },
	{ "telegram-bot-token", "GET https://api.telegram.org/bot⟦telegram-bot-token⟧1261412260:AA6O8VJMlaZpqdSR1wwDLPaNge3wrs6PrOm⟦/⟧/getUpdates" },
	{ "teams-webhook", "webhook = \"⟦teams-webhook⟧https://contoso.webhook.office.com/webhookb2/5e1158a0-8fd4-4f38-b7e6-deb4256446f0@9528d246-51fa-426a-aadf-9be2e685757f/IncomingWebhook/049e2407f3f6ae3b8aa01a103cad2a1b/6f288b28-ddea-4a60-a7e9-e30760cbe8ba⟦/⟧\"" },
	{ "teams-webhook", "notify ⟦teams-webhook⟧https://contoso.webhook.office.com/webhookb2/2c08e505-5df4-4999-9ad1-607f939edbb7@5cc474ab-0c3b-41f5-a8a6-14b93c38f791/IncomingWebhook/418c617eb8cd7c39b0fba062c1d1f6aa/6800194d-b398-474b-b09e-0925a416b4b4⟦/⟧ failed" },
	{ "stripe-key", "STRIPE_SECRET_KEY=⟦stripe-key⟧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⟦/⟧" },
	{ "stripe-key", "stripe.api_key = \"⟦stripe-key⟧rk_live_xibEUuwlyiJQM5M4OPVqvKn8⟦/⟧\"" },
	{ "stripe-key", "const key = '⟦stripe-key⟧sk_test_51AHhMty5hrKyB7qLDlbAPLzoO7nYOtMrXgFzPdAI9XNWMCJtdgUmNlNZ3uT3nPcMfKVFKal8DpZTtQN1bO9FomX7SfQbbOjzJw⟦/⟧';" },
	{ "square-token", "SQUARE_ACCESS_TOKEN=⟦square-token⟧EAAAIT4wR0E-Cq_XfBpmARYcKAkG1hgY7-CKEhS4cHRjzl5qw3_b0r4gAAOtXKTj⟦/⟧" },
	{ "square-token", "application_secret: ⟦square-token⟧sq0csp-VaP9dPdvq9dyg1fbKq5TwuPG8GpaXBOaLaodOQCZwyU⟦/⟧" },
	{ "square-token", "oauth ⟦square-token⟧sq0atp-Pu19SaOXM0bDsjecjdha_5⟦/⟧ expires 2026-01-01" },
	{ "twilio-key", "TWILIO_API_KEY=⟦twilio-key⟧SKb612abc589a184868e5da914f3a912c3⟦/⟧" },
	{ "twilio-key", "client = Client(\"⟦twilio-key⟧SKb5d631062ec2925128fbff86bc9e49b2⟦/⟧\", api_secret, account_sid)" },
	{ "sendgrid-key", "SENDGRID_API_KEY=⟦sendgrid-key⟧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⟦/⟧" },
	{ "sendgrid-key", "sg = SendGridAPIClient('⟦sendgrid-key⟧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⟦/⟧')" },
	{ "mailgun-key", "MAILGUN_API_KEY=⟦mailgun-key⟧key-672f42d6fac280c1725e4879c3dde33d⟦/⟧" },
	{ "mailgun-key", "curl --user 'api:⟦mailgun-key⟧key-099010b2610783af75054d7172cc47c0⟦/⟧' https://api.mailgun.net/v3/domains" },
	{ "mailchimp-key", "MAILCHIMP_API_KEY=⟦mailchimp-key⟧73707d5f6155a89c4745c5ecc799dc25-us6⟦/⟧" },
	{ "mailchimp-key", "mailchimp.setConfig({ apiKey: \"⟦mailchimp-key⟧79bc39dcb1ce8044c38d3ff60797a1e9-us10⟦/⟧\", server: \"us10\" });" },
	{ "npm-token", "//registry.npmjs.org/:_authToken=⟦npm-token⟧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⟦/⟧" },
	{ "npm-token", "NPM_TOKEN: ⟦npm-token⟧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⟦/⟧" },
	{ "pypi-token", "password = ⟦pypi-token⟧pypi-AgEIcHlwaS5vcmcCJ_RLzjm57xU1R-c3uNeGSMS3jHi_0bYEpwGhwAty8k4LLvYC9gfT-XsOOBAokDZvPoSreY0KBf7R1zKd1XcqKn2O-D4TW_7rFlQJaCq8AYDXm8v6leaBfjEMRVXeHzkC_F9CGnMxtxOWphYY3elHipO⟦/⟧" },
	{ "pypi-token", "twine upload -u __token__ -p ⟦pypi-token⟧pypi-AgEIcHlwaS5vcmcCJK42TBuSRUvkfVtKLShnU7Tqt86TY5_gOufXKET6DErH1xHOAm_RjktlX7pHDLvtq_gIKMNoeApAghLDBfQfFJslPNnUZreA5KvKTNOtJ_Gs455_MGpIPOB4C0evGBZoRLQzC-hZpHjrB3fl1HoXTvb⟦/⟧ dist/*" },
	{ "rubygems-token", ":rubygems_api_key: ⟦rubygems-token⟧rubygems_11584643ce345729925b2e8df9456e6450137bbfb678308f⟦/⟧" },
	{ "rubygems-token", "GEM_HOST_API_KEY=⟦rubygems-token⟧rubygems_8c65a1a2c27d3e97b4c49acddf01bb98ddd507ae501724c6⟦/⟧" },
	{ "dockerhub-token", "DOCKERHUB_TOKEN: ⟦dockerhub-token⟧dckr_pat_9EeJ_sSOwxegxSjKkBELMQfm-6A⟦/⟧" },
	{ "dockerhub-token", "echo ⟦dockerhub-token⟧dckr_pat_bQGTh6S6l6F6PC7cATGmJogwR2Z⟦/⟧ | docker login -u northwindci --password-stdin" },
	{ "openai-key", "OPENAI_API_KEY=⟦openai-key⟧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⟦/⟧" },
	{ "openai-key", "openai.api_key = \"⟦openai-key⟧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⟦/⟧\"" },
	{ "openai-key", "Authorization: Bearer ⟦openai-key⟧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⟦/⟧" },
	{ "anthropic-key", "x-api-key: ⟦anthropic-key⟧sk-ant-api03-MKvws7PaAcgyF5EyGn4h6rnpzeqzClMSRrqlFY0S1ADCoD1_l8G_wdNtVDSWJBt_0G5c9Q6lVzSaVOMfB0yMJWxOmpgM7AA⟦/⟧" },
	{ "anthropic-key", "ANTHROPIC_ADMIN_KEY='⟦anthropic-key⟧sk-ant-admin01-vDnQ5Oq-iDL7yej_5f_0Sqwpq1kCB87Nry0fIrdZVzek8o-dn5okY7EDv2TZAhFlLv8WS-MwraYf_Wt-ydt_IjanwyZHDAA⟦/⟧'" },
	{ "huggingface-token", "HF_TOKEN=⟦huggingface-token⟧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⟦/⟧" },
	{ "huggingface-token", "login(token=\"⟦huggingface-token⟧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⟦/⟧\")" },
	{ "groq-key", "GROQ_API_KEY=⟦groq-key⟧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⟦/⟧" },
	{ "groq-key", "-H \"Authorization: Bearer ⟦groq-key⟧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⟦/⟧\"" },
	{ "replicate-token", "REPLICATE_API_TOKEN=⟦replicate-token⟧r8_OGEBAhAzRsxo7ObS7VP0OBnlRlX5pADbQZAxj⟦/⟧" },
	{ "replicate-token", "const REPLICATE = \"⟦replicate-token⟧r8_F4w0LO0WS0B2ESIIAY82KJkKiVFx8463y9uw4⟦/⟧\";" },
	{ "digitalocean-token", "token = \"⟦digitalocean-token⟧dop_v1_d7061691545d56efccbbc7fd93173d657a553aef162237e01ba7d57c89535ea7⟦/⟧\"" },
	{ "digitalocean-token", "DO_REFRESH=⟦digitalocean-token⟧dor_v1_ff0ba36f888d4bd26e655432fed3c57516977da977ac8a3dba4e784107ef72a4⟦/⟧" },
	{ "digitalocean-token", "spaces: ⟦digitalocean-token⟧doo_v1_b7779adf2125b2ae2280d1cc8cf2f07e43563708e512ef8d7a700e9ad5f848a5⟦/⟧" },
	{ "shopify-token", "SHOPIFY_ADMIN_TOKEN=⟦shopify-token⟧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⟦/⟧" },
	{ "shopify-token", "api_secret_key: \"⟦shopify-token⟧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⟦/⟧\"," },
	{ "atlassian-token", "ATLASSIAN_API_TOKEN=⟦atlassian-token⟧ATATT3xFfGF0QbztuJfb79mVMLIz6vHzyhiQ56Zjoq3qWsf8OwVh7lVmeACGm24Sa9wzA2Bkd_nchnlT10ikt_871nHcPkxQZ_DBE3xNcsNoRrjyaRQU7bGsS9UO4D_p0u32t7X5KWJjz0ZVWvViTbfE1F4XsMzYehFFI4v1jsEashzw9WaazN=804064AC⟦/⟧" },
	{ "atlassian-token", "jira = JIRA(server, basic_auth=(user, \"⟦atlassian-token⟧ATATT3xFfGF0mSxwLyLttiUz69G4R76DR3cxWcHMEYfwHmDaQm0xYcrzhj8hDnOEKvJy1kvVPedPrpAIAbjC4Oe6M1NQ3gQ_pip3-whb8sWLNLSJl-VTqc56MNPtUQX1NL5Ph4j8_evKLedYWzl1EWhegKw0UmYtX9UZ4eUhAHNHmtPmYaCUip=B99809DA⟦/⟧\"))" },
	{ "newrelic-key", "NEW_RELIC_API_KEY=⟦newrelic-key⟧NRAK-ULTX14JEUQHOPMQF0XPB2YY8YPW⟦/⟧" },
	{ "newrelic-key", "\"API-Key\" => \"⟦newrelic-key⟧NRAK-SIV50UKSSKFSC52M7KTTF783ZP1⟦/⟧\"" },
	{ "newrelic-key", "license_key: ⟦newrelic-key⟧8e9d5feb0a6e4af0ab68a3a91c232533bdb2NRAL⟦/⟧" },
	{ "linear-key", "LINEAR_API_KEY=⟦linear-key⟧lin_api_wVxxIEwPTl7y2NMpjRVnnhcQ1D1eX6BWVVohObvO⟦/⟧" },
	{ "linear-key", "new LinearClient({ apiKey: \"⟦linear-key⟧lin_api_VLtt0qpcpMcVLVvUAjzAT6SWH8YlkksV6vSJhbtS⟦/⟧\" })" },
	{ "notion-token", "NOTION_TOKEN=⟦notion-token⟧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⟦/⟧" },
	{ "notion-token", "auth: \"⟦notion-token⟧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⟦/⟧\"," },
	{ "doppler-token", "DOPPLER_TOKEN=⟦doppler-token⟧dp.pt.VkW6wcz2O1tpIK2QoQlUMqJKIvXZlevrb3KFWr3k9ZE⟦/⟧" },
	{ "doppler-token", "doppler run --token ⟦doppler-token⟧dp.st.prd.LoclaSzDpluHY6wTLLFzM2xptnAPIYTYuCO5Xa5W⟦/⟧ -- ./server" },
	{ "vault-token", "VAULT_TOKEN=⟦vault-token⟧hvs.CAESIC-DDVOvc4y6jysBy1XfeoLqcQZLwgisqM43kDJpVV9EQZgr1wT1Z_gplrPJuem3nyBLc4rjD4kShB1Iz6wp5ci⟦/⟧" },
	{ "vault-token", "X-Vault-Token: ⟦vault-token⟧hvs.CAESIU2AdwWg8tTxdyC00uvbyRqOFVyCakLyHmkH977IPPlZxD38_gdPm-O77A2tCd1Hg79N-4LxEwIbPEyzwvnDoPU⟦/⟧" },
	{ "vault-token", "batch ⟦vault-token⟧hvb.AAAAAQDLJ7oPfYykK2CzR2ld2yQtEj51biY3F7iTIHj_tET0mDuu2aXun_b9tnD8NmxvsIyJMIw4ZOvBYQktf9L-7YS_bIWDWlM2bpTs32aJuMDZ0acKd2XN0siAPBhFnSxRzksO⟦/⟧" },
	{ "terraform-token", "\"token\": \"⟦terraform-token⟧hC5n8fakalw69z.atlasv1.8VC7nibdbk1rQRW5GdJeM5sD7rNlP11ESb0jQUz2gkiwW26sLSkd5BhkOKbNnZ4A5jM⟦/⟧\"" },
	{ "terraform-token", "TF_TOKEN_app_terraform_io=⟦terraform-token⟧H92kmqIfArhA7V.atlasv1.yKhGQmKfITm6kRBIxpPnd0aN8LwfvFpKeoVyZqhqtUI75Oa5HyiRlzVAXgnropPL2kN⟦/⟧" },
	{ "age-secret-key", "⟦age-secret-key⟧AGE-SECRET-KEY-1JTAGNTKLGTZTNU65KWDKL34FDLFVW06TN0K9XM2NJ58M5HVDEWFYNZJXTQ⟦/⟧" },
	{ "age-secret-key", "SOPS_AGE_KEY=⟦age-secret-key⟧AGE-SECRET-KEY-1NLH2E993QWJLE75S4QQ7N4ZEXE96TXZTKXKJV5AGKQQ5VDLJR9GT97REU9⟦/⟧" },
	{ "sentry-dsn", "SENTRY_DSN=https://⟦sentry-dsn⟧c8963721763e841e403105d795d739a9⟦/⟧@o4507219.ingest.sentry.io/4507219663994880" },
	{ "sentry-dsn", "Sentry.init({ dsn: \"https://⟦sentry-dsn⟧5cad76874490d7d05de53e3e18423729⟦/⟧@o4507219.ingest.us.sentry.io/4507219663994881\" });" },
	{ "private-key", "⟦private-key⟧-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIInmKHiv3IU2ad5d+k0qjl8uJl5ftiJ0TX2T7nbTmAfjJfPAGA40qW3t\nWGiasUQ9db4j88hm6X54B+HjtBI+jkwjbTapT4i4mWesftscFaull0wwZz/T3yPH\n0zfoMmPALl2fyWYJNJWh5fpbTNKjbPgiBQ==\n-----END EC PRIVATE KEY-----⟦/⟧\n" },
	{ "private-key", "{\"content\":\"⟦private-key⟧-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEATCt6r5zEHKRIecjxVwJWCIGf9b5QN4agtX1LTtK5fnbnqk3O8P\\nqWV27GnnqjEiQnKBEuUYY/8Wc1B8AlkPiHjxmd1deLIbkquBy1cRritB0R2SDBPduOaynY\\nHI73ybKRW7sl9NxdCG8B+j6BYu2ZxHWWEAcH9uiqLlSMbkD1pQyQBFHXP7qL/8uNjAol2V\\ndtuVtHQ99lVepgwY29XoQpG2roh3G/+6YjWTdG6+EhWE/uF7BxnB4FsyK1miT5GYr+yrAA\\nx//FCEroc+MJLz3r/7tQ8hnyDln83px1c8vE8ucbetVNeRxSWDadd3gzNXShmw1SX6pClz\\nfntNYR7wVwUYl5LblLtS7IHVhUnuDqA9rrNbx96Pv7/Lz96edWICTGXjbElQSzt3d/PwGZ\\nKVyeSLQXWAJuiKhOQj3L41SeIybpUk2OTLhpQtGn54RObI2BejECozGnLekpmOjwW/XRmv\\nTMFwBl5hT2nN/jKY5s5ocsJxBIcxB8+wDrhwRJLfYR2qbh\\n-----END OPENSSH PRIVATE KEY-----⟦/⟧\\n\",\"is_error\":false}" },
	{ "private-key", "{\"output\":\"{\\\"key\\\":\\\"⟦private-key⟧-----BEGIN EC PRIVATE KEY-----\\\\nMHcCAQEEIInmKHiv3IU2ad5d+k0qjl8uJl5ftiJ0TX2T7nbTmAfjJfPAGA40qW3t\\\\nWGiasUQ9db4j88hm6X54B+HjtBI+jkwjbTapT4i4mWesftscFaull0wwZz/T3yPH\\\\n0zfoMmPALl2fyWYJNJWh5fpbTNKjbPgiBQ==\\\\n-----END EC PRIVATE KEY-----⟦/⟧\\\\n\\\"}\"}" },
	{ "jwt", "token: ⟦jwt⟧eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhY2N0XzBSZ1Zkb2pLdmIiLCJpYXQiOjE3NjQ5NDczMDksImV4cCI6MTc2NDk0ODIwOSwic2NvcGUiOiJkZXBsb3kifQ.tTv6gEbnCUimH8kXuvN5QartUwJ4KSYtYiqHcEMdc1I⟦/⟧" },
	{ "jwt", "Authorization: Bearer ⟦jwt⟧eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Ijk5NTA3ODFjNjY5MGZiMzMifQ.eyJzdWIiOiJ1c2VyX004UHFaYUVDbmgiLCJpYXQiOjE3NjQzMDY3NzIsImV4cCI6MTc2NDM5MzE3Miwic2NvcGUiOiJyZWFkOnJlcG8ifQ.hvkpzeGdT8GS3aC-kqTOJd8yf6dVAJKt7StwLv8N2qxE9bQJ9hvUY2npDT2pfFo1haqunCjUIj_biuG7LJ87yA⟦/⟧" },
	{ "auth-header", "Authorization: Basic ⟦auth-header⟧c3ZjLW1ldHJpY3M6Q0FzMEtuOXNqUTA4akxaaHpK⟦/⟧" },
	{ "auth-header", "authorization: Bearer ⟦auth-header⟧5u3Lnvs6oehIF1GqP0FbBmLthbVfeOJxGCqXuxyI⟦/⟧" },
	{ "database-url", "DATABASE_URL=postgres://orders_app:⟦database-url⟧ZtRA96M1ic7qUwjJT8Nd07⟦/⟧@orders-db.internal:5432/orders" },
	{ "database-url", "mongosh \"mongodb+srv://analytics:⟦database-url⟧fdW6XKq7ign8BrTAPGb⟦/⟧@cluster0.x7kq2.mongodb.net/events\"" },
	{ "database-url", "REDIS_URL=redis://:⟦database-url⟧Tundra-violet2931⟦/⟧@cache.internal:6379/0" },
	{ "password-assignment", "DB_PASSWORD=⟦password-assignment⟧ZtRA96M1ic7qUwjJT8Nd07⟦/⟧" },
	{ "password-assignment", "  \"password\": \"⟦password-assignment⟧fdW6XKq7ign8BrTAPGb⟦/⟧\"," },
	{ "password-assignment", "client_secret: ⟦password-assignment⟧Qm7vX2pL9sK4nR8tW1yZ6bC3⟦/⟧" },
	{ "email", "contact: ⟦email⟧maria.gonzalez84@gmail.com⟦/⟧" },
	{ "email", "From: Mark Thompson <⟦email⟧m.thompson+orders@posteo.de⟦/⟧>" },
	{ "email", "To: ⟦email⟧First.Last+tag@mail.Example.co.uk⟦/⟧, ⟦email⟧JOHN.DOE@GMAIL.COM⟦/⟧" },
	{ "phone", "\"phone\": \"⟦phone⟧+1 415-867-2291⟦/⟧\"" },
	{ "phone", "mobile ⟦phone⟧+49 151 2093 8874⟦/⟧, office ⟦phone⟧(646) 412-0143⟦/⟧" },
	{ "phone", "call ⟦phone⟧415.867.2291⟦/⟧ or ⟦phone⟧+1-415-867-2291⟦/⟧ after 6pm" },
	{ "phone", "London office ⟦phone⟧+44 (0)20 7946 0018⟦/⟧, Shopify export ⟦phone⟧+4915120938874⟦/⟧," },
	{ "us-ssn", "SSN: ⟦us-ssn⟧325-10-2665⟦/⟧" },
	{ "us-ssn", "ssn=⟦us-ssn⟧325102665⟦/⟧&dob=1982-04-11" },
	{ "us-ssn", "| 10231 | Tomás Alvarez | ⟦us-ssn⟧563-06-6739⟦/⟧ |" },
	{ "credit-card", "card: ⟦credit-card⟧4195215598180991⟦/⟧ exp 09/27" },
	{ "credit-card", "\"pan\":\"⟦credit-card⟧5310 6660 8431 9625⟦/⟧\"" },
	{ "credit-card", "amex ⟦credit-card⟧3405-362627-00455⟦/⟧, visa ⟦credit-card⟧4696-4000-2489-0140⟦/⟧" },
	{ "iban", "IBAN: ⟦iban⟧DE55384629895948680990⟦/⟧" },
	{ "iban", "wire to ⟦iban⟧GB96 JJUF 6040 0077 7547 43⟦/⟧, ref OKL-Q4" },
	{ "iban", "<IBAN>⟦iban⟧NL79PBGJ0668546852⟦/⟧</IBAN>" },
	{ "iban", "IBAN ⟦iban⟧DE55 3846 2989 5948 6809 90⟦/⟧, BIC COBADEFFXXX" },
	/* generalized key context (held-out set, docs/redact-corpus.md) */
	{ "password-assignment", "        privateKey: ⟦password-assignment⟧20793ab11bd10d1a7fd421d6777099a9⟦/⟧" },
	{ "password-assignment", "app:\n  encryption:\n    key: ⟦password-assignment⟧E6ObGqiomjCjuKeRdI421OpV2IokZJ1fjmA60rvOc1A=⟦/⟧" },
	{ "password-assignment", "  DD_API_KEY=⟦password-assignment⟧8c2f0e61b7a94d3e9f5a1c6b2d8e4f70⟦/⟧" },
	{ "password-assignment", "\"ses_smtp_password_v4\": \"⟦password-assignment⟧BLc3Ys1q9Wk2LmZr8Tx4PaNe6Vd0Hu7Gf5Jb3Qo1Ri2S⟦/⟧\"," },
	{ "password-assignment", "    WTF_CSRF_SECRET_KEY = b\"⟦password-assignment⟧c092b413505b5f5181ff535ab4fc2aede37607bcf8778346⟦/⟧\"" },
	{ "password-assignment", "{\"name\": \"db-password\", \"value\": \"⟦password-assignment⟧UM5kUih2VrW~A9xbmQPm-⟦/⟧\", \"enabled\": true}" },
	{ "password-assignment", "{\"Name\": \"/prod/api/SIGNING_SECRET\", \"Type\": \"SecureString\", \"Value\": \"⟦password-assignment⟧Nz2ylLuOL0eTnber5iUy6qdkNtXs⟦/⟧\"}" },
	{ "password-assignment", "<Environment name=\"smtp/password\" value=\"⟦password-assignment⟧nNRh8_dC8fuuYg⟦/⟧\" type=\"java.lang.String\"/>" },
	{ "password-assignment", "    <server>\n      <password>⟦password-assignment⟧4uLBXE1LU5XPHjILqA4⟦/⟧</password>" },
	{ "password-assignment", "Data Source=reports;Initial Catalog=Reports;User Id=reporter;Pwd=⟦password-assignment⟧w2qSZ50swXdp5KItA07g9⟦/⟧;" },
	{ "password-assignment", "mysql -h db.internal -u root -p⟦password-assignment⟧Tundra_Quartz8736⟦/⟧ -e 'show databases'" },
	{ "password-assignment", "Cookie: sessionid=⟦password-assignment⟧vDnY4Pb2zX8MuS77aEYcIWgyeguWr9kH⟦/⟧; _ga=GA1.2.1183749201.1732540811" },
	{ "password-assignment", "//nexus.example.com/repository/npm/:_auth=⟦password-assignment⟧Y2k6RmFsY29uLkZhbGNvbjU2MA==⟦/⟧" },
	{ "password-assignment", "define( 'SECURE_AUTH_KEY',  '⟦password-assignment⟧Q9|uV2~mK7<rX4>tP1{wZ8}yL3[nH6]jF0=aS5-dG2_b⟦/⟧' );" },
	{ "password-assignment", "done. new password is ⟦password-assignment⟧Quartz_violet8473⟦/⟧ (I'll move it to vault)" },
	{ "password-assignment", "fyi the partner's api key is ⟦password-assignment⟧6iihlFa2WXcvFed38iKIxiz8ZVtk7R4E⟦/⟧, please don't paste it" },
	{ "password-assignment", "pg-primary.internal:5432:orders:orders_app:⟦password-assignment⟧cobalt-cobalt55⟦/⟧\n*:*:*:replicator:⟦password-assignment⟧yN7BQofOtsh7MJfoYX8vguwmtzw⟦/⟧" },
	{ "phone", "You can reach my husband at ⟦phone⟧07700 900456⟦/⟧ or by mail; portable : ⟦phone⟧01 42 68 53 00⟦/⟧" },
	{ "email", "[mailer]\nENABLED = true\nUSER = ⟦email⟧git@example.com⟦/⟧\nPASSWD = `x`" },
	{ "auth-header", "curl -s -H 'Authorization: Token ⟦auth-header⟧GDqeNKwEeTgVulnCcBuAs04Na8xlrP7K94vFOBx6⟦/⟧' https://api.example.com" },
	{ "email", "GET /subscribe?email=⟦email⟧a.dvorakova%40seznam.cz⟦/⟧&list=weekly HTTP/1.1" },
	{ "email", "GET /unsubscribe?u=⟦email⟧peter.kowalski%2Bnews%40wp.pl⟦/⟧&t=1732698724" },
};

static const struct rcase negatives[] = {
	{ "aws-access-key-id", "AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX" },
	{ "aws-access-key-id", "the id starts with AKIA5LGKRLNROZ6 and is 20 characters long" },
	{ "aws-access-key-id", "\"AssumedRoleId\":\"AROAXPJ7IZ2OBG53DV42U:ci\"" },
	{ "aws-secret-access-key", "commit 77364189680d07759fe3362333bcdd7224304211" },
	{ "aws-secret-access-key", "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}" },
	{ "aws-session-token", "aws_session_token = <session-token>" },
	{ "aws-session-token", "data:image/png;base64,iVBORw0KGgoAAAANSUhEUoPMA+xgzwzVU7Gcfq+bqXkFsXwBs3XtORSpszDSrrd0yzAc+xscQBIG8eSymEeZmmd3unX7w9qIcm8Ff8gx1VNMfy631X/w8momk5maGmsYunbvAcEXnbDI+DohWAWHjkKMd6nG7fjKfl+59QgvqOB5CFPSQe79S5pgTYp7BS5zdhane9MRQBXSJxHCvva1G3IrUKecp9tKazV2DvUDVWwcc8EalWxfF1szLmf9tdF4K3IdEAYmC9OfypAUp7n4hcYApxmDslXAIdW0PX2O2QWuF0BKZagslPVSWngQ4TezeY0ryE3E22h4LtljTVjO12khPgZ4IFTFgQNlQEcDODH2INYL16EjezoJ3kTMCLtxNs8nS8YnA78DICmI4R3VqL5Rmvp64wTaKiWbpg==" },
	{ "gcp-api-key", "GOOGLE_MAPS_KEY=AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" },
	{ "gcp-api-key", "keys look like AIzaSy followed by 33 characters" },
	{ "azure-storage-key", "\"integrity\": \"sha512-legaUlXETPp1o/TbjpzNuo4CdA+TvJJuo5/ocVtkIbaFwRXKhsRx1/tNWB0ahyGO8dR6Pyagw5z05iXKYREl7w==\"" },
	{ "azure-storage-key", "AccountKey=<storage-account-key>" },
	{ "azure-connection-string", "UseDevelopmentStorage=true" },
	{ "azure-connection-string", "DefaultEndpointsProtocol=https;AccountName=nworders;AccountKey=${AZURE_STORAGE_KEY};EndpointSuffix=core.windows.net" },
	{ "github-token", "git checkout ghp_fix-login-redirect && git log -1" },
	{ "github-token", "GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" },
	{ "gitlab-token", "GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx" },
	{ "gitlab-token", "personal access tokens start with glpat- and are 26 characters long" },
	{ "bitbucket-token", "BITBUCKET_APP_PASSWORD=ATBBXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" },
	{ "bitbucket-token", "app passwords begin with ATBB, see the Bitbucket docs" },
	{ "slack-token", "SLACK_BOT_TOKEN=xoxb-your-token-here" },
	{ "slack-token", "SLACK_BOT_TOKEN=xoxb-XXXXXXXXXXXX-XXXXXXXXXXXXX-XXXXXXXXXXXXXXXXXXXXXXXX" },
	{ "slack-webhook", "SLACK_WEBHOOK_URL=https://hooks.slack.com/services/XXXXXXXXX/XXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX" },
	{ "slack-webhook", "see https://api.slack.com/messaging/webhooks for incoming webhooks" },
	{ "discord-webhook", "url = \"https://discord.com/api/webhooks/{webhook.id}/{webhook.token}\"" },
	{ "discord-webhook", "https://discord.com/developers/docs/resources/webhook#execute-webhook" },
	{ "discord-bot-token", "DISCORD_TOKEN=${DISCORD_TOKEN}" },
	{ "discord-bot-token", "release v1.4.2.rc1 of the bot, build MTA4.Ab.Cd" },
	{ "telegram-bot-token", "TELEGRAM_BOT_TOKEN=<bot-token>" },
	{ "telegram-bot-token", "event 12345:AAH7kq9Lm2Np4Rs6Tu8Vw0Xy1Za3Bc5De7F logged" },
	{ "teams-webhook", "open https://outlook.office.com/mail/inbox/id/AAQkAGI2" },
	{ "teams-webhook", "TEAMS_WEBHOOK=https://contoso.webhook.office.com/webhookb2/<guid>@<guid>/IncomingWebhook/<id>/<guid>" },
	{ "stripe-key", "STRIPE_PUBLISHABLE_KEY=pk_live_51HqLyjWDarjtT1zdp7dcK9Lm2Np4Rs6Tu8Vw0Xy1Za3Bc5De7FgHiJkLmN" },
	{ "stripe-key", "STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx" },
	{ "square-token", "SQUARE_ACCESS_TOKEN=sq0atp-XXXXXXXXXXXXXXXXXXXXXX" },
	{ "square-token", "tokens prefixed EAAA are Square production tokens" },
	{ "twilio-key", "TWILIO_ACCOUNT_SID=ACb612abc589a184868e5da914f3a912c3" },
	{ "twilio-key", "order SKU-4471 SKU-0091 shipped" },
	{ "sendgrid-key", "SENDGRID_API_KEY=SG.your-key-here" },
	{ "sendgrid-key", "the key format is SG.<id>.<secret>" },
	{ "mailgun-key", "MAILGUN_API_KEY=key-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
	{ "mailgun-key", "a key-value store keeps key-3 and key-4 apart" },
	{ "mailchimp-key", "etag d41d8cd98f00b204e9800998ecf8427e region us-east-1" },
	{ "mailchimp-key", "MAILCHIMP_API_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-us6" },
	{ "npm-token", "run npm_config_registry=https://registry.npmjs.org/ npm_lifecycle_event" },
	{ "npm-token", "NPM_TOKEN=npm_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" },
	{ "pypi-token", "pip install --index-url https://pypi-mirror.internal/simple pypi-simple" },
	{ "pypi-token", "tokens start with pypi-AgEIcHlwaS5vcmc" },
	{ "rubygems-token", "gem list rubygems_version rubygems_integration" },
	{ "rubygems-token", "GEM_HOST_API_KEY=rubygems_<key>" },
	{ "dockerhub-token", "DOCKERHUB_TOKEN=dckr_pat_XXXXXXXXXXXXXXXXXXXXXXXXXXX" },
	{ "dockerhub-token", "personal access tokens start with dckr_pat_" },
	{ "openai-key", "OPENAI_API_KEY=sk-..." },
	{ "openai-key", "OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
	{ "anthropic-key", "ANTHROPIC_API_KEY=sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
	{ "anthropic-key", "keys start with sk-ant- and are shown once" },
	{ "huggingface-token", "from huggingface_hub import hf_hub_download, hf_transfer_enabled" },
	{ "huggingface-token", "HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
	{ "groq-key", "GROQ_API_KEY=gsk_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
	{ "groq-key", "keys begin with gsk_ in the console" },
	{ "replicate-token", "REPLICATE_API_TOKEN=r8_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
	{ "replicate-token", "the r8_ prefix marks replicate tokens" },
	{ "digitalocean-token", "token = \"dop_v1_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"" },
	{ "digitalocean-token", "tokens look like dop_v1_ followed by 64 hex digits" },
	{ "shopify-token", "SHOPIFY_ADMIN_TOKEN=shpat_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
	{ "shopify-token", "admin tokens start with shpat_ and app secrets with shpss_" },
	{ "atlassian-token", "ATLASSIAN_API_TOKEN=ATATT3xFfGF0<your-token>" },
	{ "atlassian-token", "tokens created after 2023 begin with ATATT3" },
	{ "newrelic-key", "NEW_RELIC_API_KEY=NRAK-XXXXXXXXXXXXXXXXXXXXXXXXXXX" },
	{ "newrelic-key", "user keys start with NRAK- and ingest keys with NRII-" },
	{ "linear-key", "LINEAR_API_KEY=lin_api_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
	{ "linear-key", "personal keys start with lin_api_" },
	{ "notion-token", "NOTION_TOKEN=ntn_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
	{ "notion-token", "integration tokens now start with ntn_" },
	{ "doppler-token", "DOPPLER_TOKEN=dp.st.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
	{ "doppler-token", "service tokens look like dp.st.<config>.<token>" },
	{ "vault-token", "VAULT_TOKEN=hvs.XXXXXXXXXXXXXXXXXXXXXXXX" },
	{ "vault-token", "export VAULT_ADDR=https://vault.internal:8200 VAULT_NAMESPACE=admin" },
	{ "terraform-token", "tokens contain .atlasv1. between two random parts" },
	{ "terraform-token", "TF_TOKEN_app_terraform_io=xxxxxxxxxxxxxx.atlasv1.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
	{ "age-secret-key", "# public key: age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj" },
	{ "age-secret-key", "AGE-SECRET-KEY-1XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" },
	{ "sentry-dsn", "dsn: \"https://examplePublicKey@o0.ingest.sentry.io/0\"" },
	{ "sentry-dsn", "see https://sentry.io/organizations/northwind/issues/4507219663/" },
	{ "private-key", "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUJ3Fq0f9y2bq9m8rTnYk5w8XwQmUwCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n" },
	{ "private-key", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE4f7sT0gC3qPZ1v8mYk5w8XwQmUwC\n-----END PUBLIC KEY-----\n" },
	{ "private-key", "key.pem must start with -----BEGIN PRIVATE KEY----- (PKCS#8)" },
	{ "jwt", "header eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9 alone is not a token" },
	{ "jwt", "version 1.22.3.4 of eyJ.abc.def" },
	{ "auth-header", "Authorization: Bearer ${ORDERS_TOKEN}" },
	{ "auth-header", "Authorization: Bearer <token>" },
	{ "database-url", "DATABASE_URL=postgres://${DB_USER}:${DB_PASSWORD}@${DB_HOST}:5432/orders" },
	{ "database-url", "DATABASE_URL=postgres://orders-db.internal:5432/orders?sslmode=require" },
	{ "password-assignment", "PASSWORD_MIN_LENGTH=12" },
	{ "password-assignment", "DB_PASSWORD=${DB_PASSWORD}" },
	{ "password-assignment", "password: changeme" },
	{ "email", "git clone git@github.com:northwind/orders.git" },
	{ "email", "<img src=\"logo@2x.png\"> @media (min-width: 600px)" },
	{ "phone", "timestamp_ms=1732181783441 pid=23140" },
	{ "phone", "version 4.12.0-rc.3 at 10.40.3.17:8443 on 2025-11-21" },
	{ "phone", "ISBN 978-0-13-468599-1, EIN 76-3318842, order #100045874, 2025-11-21 14:00-15:30" },
	{ "phone", "ns=1732191234567890123 rss=412876800 disk=107374182400 mtu 9001" },
	{ "us-ssn", "000-70-9708 666-78-0882 981-65-6016" },
	{ "us-ssn", "854-00-9988 098-42-0000" },
	{ "credit-card", "card 4365344321100969 was declined (bad number)" },
	{ "credit-card", "5181 2647 8290 3063 and 4473164092429563 fail the Luhn check" },
	{ "credit-card", "tracking 9400111899223100045874 span_id=4bf92f3577b34da6 max=9007199254740991" },
	{ "iban", "IBAN: DE66806838971237027625 (check digits wrong)" },
	{ "iban", "GB78HRER57819385775190" },
	/* Generic hard negatives: identifiers, digests, encodings, masks. */
	{ "uuid", "request_id=df41998d-a490-4278-af3e-39af5310db77 trace=4bf92f3577b34da6a3ce929d0e0e4736" },
	{ "git-sha", "Merge: 77364189680d07759fe3362333bcdd7224304211 3f9c2e1a9b0c4d5e6f708192a3b4c5d6e7f80910" },
	{ "sha256", "adf689b4c17be9cc0c5306c46865918421bb1b81a741d3c728597c11f5b3a651  dist/orders.tar.gz" },
	{ "base64-image", "background:url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAGXRFWHRTb2Z0d2FyZQBBZG9iZSBJbWFnZVJlYWR5ccllPAAAAJ5JREFUeNpi/P//PwMlgImBQjDwBrCgC3BzczN8+/aNgRzAyMjIwMXFxfD161cGdAMYYQH6/fs3w7dv3xjIAYyMjAxcXFwMX79+ZUBXwIjuhO/fvzMQA/79+8fAxcXF8PXrVwZ0BYwMFALGUQMGAiAGAAAA//8DAOb1B3sAAAAASUVORK5CYII=)" },
	{ "minified-js", "!function(e,t){var n={apiBase:\"/api/v2\",release:\"77364189680d07759fe3362333bcdd7224304211\"},r=/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$/;function o(e){for(var t=0,n=!1,r=e.length-1;r>=0;r--){var o=+e[r];n&&(o*=2)>9&&(o-=9),t+=o,n=!n}return t%10==0}return{luhn:o,cfg:n,t:[1732181783441,4294967295,2147483647]}}(this);" },
	{ "masked", "AWS_ACCESS_KEY_ID=[aws-access-key-id]*** token: [github-token]****************** card [credit-card]*****" },
	{ "masked", "password: **************** api_key=**************************************** secret: \"<redacted>\"" },
	{ "sri", "<script src=\"/app.js\" integrity=\"sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC\"></script>" },
	{ "ssh-pubkey", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGsdJ3Fq0f9y2bq9m8rTnYk5w8XwQmUwC5u3Lnvs6oeh deploy@web-03" },
	/* close negatives of the generalized key context */
	{ "password-assignment", "  primary_key: id\n  foreign_key: customer_id\n  sort_key: created_at" },
	{ "password-assignment", "cache_key = \"user:42:profile\"\n\t\tkey = defaultStripeKey" },
	{ "password-assignment", "POSTHOG_KEY: phc_ax2k6FJrt58ODJ1BmTz8fLkQtVeLckJcwhm9lSKdwBJ" },
	{ "password-assignment", "\"ConnectionString\": \"InstrumentationKey=9a88047a-dbd4-4ba4-ac72-f4c01b2e3655;\"" },
	{ "password-assignment", "ITERM_SESSION_ID=w0t0p0:5ea3dd35-0023-4ec8-8971-e41190f7e059" },
	{ "password-assignment", "PUSHER_APP_KEY=2f1c7a9e4b6d8f0a1c3e\nssh_key: \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN9x\"" },
	{ "password-assignment", "{\"name\": \"build-number\", \"value\": \"20261126.4\"}, {\"key\": \"REGION\", \"value\": \"westeurope\"}" },
	{ "password-assignment", "\"auth\": {\"type\": \"apikey\", \"apikey\": [{\"key\": \"key\", \"value\": \"X-API-Key\"}]}" },
	{ "password-assignment", "{\"Name\": \"/prod/api/SIGNING_SECRET\", \"Type\": \"SecureString\"}" },
	{ "password-assignment", "SECRET_KEY = os.environ.get(\"SECRET_KEY\", \"dev\")" },
	{ "password-assignment", "$ EDITOR=cat bin/rails credentials:show" },
	{ "password-assignment", "placeholders: password: <your-password> token=REPLACE_ME" },
	{ "password-assignment", "<Parameter name=\"build.version\" value=\"7.4.2-SNAPSHOT\" override=\"false\"/>" },
	{ "password-assignment", "mysql -u root -p -e 'show databases'\nmysql -u root -p$MYSQL_PWD db\ngcc -pthread -o x x.c" },
	{ "password-assignment", "cd $PWD && echo pwd=ok; keyboard: us; monkey=3; keys: [a, b]" },
	{ "password-assignment", "the password is required; the token is valid for 3600 seconds; the api key is missing" },
	{ "password-assignment", "2026-11-27 10:00:01 conn 10.0.0.1:5432: refused\nlisten 0.0.0.0:5432:ok\npg:5432:db:user:pw:extra" },
	{ "phone", "order 0123 4567 89 shipped; contact: invoice 01-2026-0042-77; call 05.11.2026 at 10:00; ref 02 11 2026" },
	{ "email", "git clone git@github.com:org/repo.git; remote: git@gitlab.example.com:group/x; git@host.example.org/repo" },
	{ "email", "progress 100%40 done; width: calc(100%40px); %40%40" },
	{ "auth-header", "Authorization: Token <token>" },
};
/* clang-format on */

/* Every kind KINDS.md fixes: each must have at least two positives and two negatives. */
/* clang-format off */
static const char *const fixed_kinds[] = {
	"aws-access-key-id", "aws-secret-access-key", "aws-session-token", "gcp-api-key",
	"azure-storage-key", "azure-connection-string", "github-token", "gitlab-token",
	"bitbucket-token", "slack-token", "slack-webhook", "discord-webhook", "discord-bot-token",
	"telegram-bot-token", "teams-webhook", "stripe-key", "square-token", "twilio-key",
	"sendgrid-key", "mailgun-key", "mailchimp-key", "npm-token", "pypi-token", "rubygems-token",
	"dockerhub-token", "openai-key", "anthropic-key", "huggingface-token", "groq-key",
	"replicate-token", "digitalocean-token", "shopify-token", "atlassian-token", "newrelic-key",
	"linear-key", "notion-token", "doppler-token", "vault-token", "terraform-token",
	"age-secret-key", "sentry-dsn", "private-key", "jwt", "auth-header", "database-url",
	"password-assignment", "email", "phone", "us-ssn", "credit-card", "iban",
};
/* clang-format on */

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct found {
	struct redact_finding v[32];
	size_t n;
};

static int collect(const struct redact_finding *f, void *ctx)
{
	struct found *fs = ctx;

	if (fs->n < N(fs->v))
		fs->v[fs->n] = *f;
	fs->n++;
	return 0;
}

static struct redact_engine *engine(void)
{
	struct redact_engine *e = NULL;
	int r = redact_engine_new(NULL, &e, NULL);

	cr_assert_eq(r, 0, "redact_engine_new: %s", strerror(-r));
	return e;
}

static void scan(const struct redact_engine *e, const char *text, size_t len, struct found *fs)
{
	int r;

	fs->n = 0;
	r = redact_scan(e, text, len, collect, fs);
	cr_assert_eq(r, 0, "redact_scan: %d", r);
	cr_assert_leq(fs->n, N(fs->v), "too many findings (%zu)", fs->n);
}

static void check_positive(const struct redact_engine *e, const struct rcase *c)
{
	struct labelled doc;
	struct found fs;
	size_t line = 0;

	cr_assert_eq(labelled_parse(c->text, strlen(c->text), &doc, &line), 0,
		     "malformed labels in '%s'", c->text);
	cr_assert_gt(doc.nlabels, 0, "positive without a label: '%s'", c->text);
	scan(e, doc.text, doc.len, &fs);
	for (size_t i = 0; i < doc.nlabels; i++) {
		const struct label *l = &doc.labels[i];
		bool hit = false;

		for (size_t j = 0; j < fs.n && !hit; j++) {
			const struct redact_finding *f = &fs.v[j];

			if (f->offset + f->length <= l->offset ||
			    f->offset >= l->offset + l->length)
				continue;
			cr_expect(label_accepts(l, f->kind), "%s: '%.*s' found as '%s' (rule %s)",
				  c->kind, (int)l->length, doc.text + l->offset, f->kind, f->rule);
			cr_expect(f->offset == l->offset && f->length == l->length,
				  "%s: span of '%.*s' is [%zu,+%zu), masked [%zu,+%zu) '%.*s'",
				  c->kind, (int)l->length, doc.text + l->offset, l->offset,
				  l->length, f->offset, f->length, (int)f->length,
				  doc.text + f->offset);
			hit = true;
		}
		cr_expect(hit, "%s: missed '%.*s' in '%s'", c->kind, (int)l->length,
			  doc.text + l->offset, doc.text);
	}
	for (size_t j = 0; j < fs.n; j++) {
		bool in_label = false;

		for (size_t i = 0; i < doc.nlabels; i++)
			in_label |= fs.v[j].offset < doc.labels[i].offset + doc.labels[i].length &&
				    doc.labels[i].offset < fs.v[j].offset + fs.v[j].length;
		cr_expect(in_label, "%s: unexpected %s finding '%.*s' (rule %s) in '%s'", c->kind,
			  fs.v[j].kind, (int)fs.v[j].length, doc.text + fs.v[j].offset,
			  fs.v[j].rule, doc.text);
	}
	labelled_free(&doc);
}

/* Criterion re-executes the binary for each test, so the tables are walked in one test each
 * (parameters holding pointers would not survive ASLR); every failure names its case. */
Test(redact_rules, positives)
{
	struct redact_engine *e = engine();

	for (size_t i = 0; i < N(positives); i++)
		check_positive(e, &positives[i]);
	redact_engine_free(e);
}

Test(redact_rules, negatives)
{
	struct redact_engine *e = engine();
	struct found fs;

	for (size_t i = 0; i < N(negatives); i++) {
		const struct rcase *c = &negatives[i];

		scan(e, c->text, strlen(c->text), &fs);
		for (size_t j = 0; j < fs.n; j++)
			cr_expect_fail("%s negative: %s finding '%.*s' (rule %s) in '%s'", c->kind,
				       fs.v[j].kind, (int)fs.v[j].length, c->text + fs.v[j].offset,
				       fs.v[j].rule, c->text);
	}
	redact_engine_free(e);
}

/* The tables must cover every fixed kind, and the engine must know each of them. */
Test(redact_rules, tables_cover_every_kind)
{
	struct redact_engine *e = engine();
	const char *const *kinds = redact_kinds(e);

	for (size_t k = 0; k < N(fixed_kinds); k++) {
		unsigned pos = 0, neg = 0;
		bool known = false;

		for (size_t i = 0; i < N(positives); i++)
			pos += !strcmp(positives[i].kind, fixed_kinds[k]);
		for (size_t i = 0; i < N(negatives); i++)
			neg += !strcmp(negatives[i].kind, fixed_kinds[k]);
		for (size_t i = 0; kinds[i] && !known; i++)
			known = !strcmp(kinds[i], fixed_kinds[k]);
		cr_expect_geq(pos, 2, "kind '%s' has %u positives", fixed_kinds[k], pos);
		cr_expect_geq(neg, 2, "kind '%s' has %u negatives", fixed_kinds[k], neg);
		cr_expect(known, "the engine has no kind '%s'", fixed_kinds[k]);
	}
	redact_engine_free(e);
}

/* Every rule's own example is masked, as a rule of its kind. */
Test(redact_rules, every_rule_masks_its_example)
{
	struct redact_engine *e = engine();
	const struct redact_rule_info *rules;
	size_t n = redact_rules(e, &rules);

	cr_assert_gt(n, 40, "only %zu rules", n);
	for (size_t i = 0; i < n; i++) {
		const char *ex = rules[i].example;
		struct found fs;
		bool hit = false;

		if (!ex || strchr(ex, '<') || strstr(ex, "..."))
			continue; /* a description of the shape, not a literal */
		scan(e, ex, strlen(ex), &fs);
		for (size_t j = 0; j < fs.n; j++)
			hit |= !strcmp(fs.v[j].kind, rules[i].kind);
		cr_expect(hit, "rule '%s': its example '%s' is not found as '%s'", rules[i].name,
			  ex, rules[i].kind);
	}
	redact_engine_free(e);
}

/* The validators the rules rely on, on the same values as the tables. */
Test(redact_rules, validators)
{
	cr_expect(redact_luhn_valid("4195215598180991", 16));
	cr_expect(redact_luhn_valid("340536262700455", 15));
	cr_expect(!redact_luhn_valid("4365344321100969", 16));
	cr_expect(!redact_luhn_valid("4473164092429563", 16));
	cr_expect(redact_iban_valid("DE55384629895948680990", 22));
	cr_expect(redact_iban_valid("GB96JJUF60400077754743", 22));
	cr_expect(redact_iban_valid("FR483353311581E8IYUFUPCD451", 27));
	cr_expect(!redact_iban_valid("DE66806838971237027625", 22));
	cr_expect(!redact_iban_valid("GB78HRER57819385775190", 22));
	cr_expect(redact_ssn_valid("325102665"));
	cr_expect(redact_ssn_valid("563066739"));
	cr_expect(!redact_ssn_valid("000709708"));
	cr_expect(!redact_ssn_valid("666780882"));
	cr_expect(!redact_ssn_valid("981656016"));
	cr_expect(!redact_ssn_valid("854009988"));
	cr_expect(!redact_ssn_valid("098420000"));
	cr_expect(redact_github_token_valid("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", 40));
	cr_expect(!redact_github_token_valid("ghp_WlHgNUxsuREPv0NBhSBKvOQP2dcVOt0uJMFA", 40));
	cr_expect_lt(redact_entropy("aaaaaaaaaaaaaaaa", 16), 0.01);
	cr_expect_gt(redact_entropy("x7Kq9Lm2Np4Rs6Tu8Vw0", 20), 4.0);
}

static float confidence_of(const struct redact_engine *e, const char *text, const char *kind)
{
	struct found fs;

	scan(e, text, strlen(text), &fs);
	for (size_t j = 0; j < fs.n; j++)
		if (!strcmp(fs.v[j].kind, kind))
			return fs.v[j].confidence;
	return 0.0f;
}

/* A token of the right shape whose CRC32 tail is wrong is still masked (the engine's
 * documented choice: it may be a real token mistyped or cut), but with less confidence than
 * one whose checksum holds. */
Test(redact_rules, crc_lowers_confidence)
{
	struct redact_engine *e = engine();
	float good, bad;

	good = confidence_of(e, "t 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", "github-token");
	bad = confidence_of(e, "t ghp_WlHgNUxsuREPv0NBhSBKvOQP2dcVOt0uJMFA", "github-token");
	cr_expect_gt(good, 0.0f, "valid GitHub token not found");
	cr_expect_gt(bad, 0.0f, "GitHub token with a bad CRC not masked");
	cr_expect_lt(bad, good, "bad CRC confidence %.3f not below valid %.3f", bad, good);
	good = confidence_of(e, "t 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", "npm-token");
	bad = confidence_of(e, "t npm_Fzc6SO6rMxVC8BIFtU10sgzx1b6YF51Zx0zA", "npm-token");
	cr_expect_gt(good, 0.0f, "valid npm token not found");
	cr_expect_gt(bad, 0.0f, "npm token with a bad CRC not masked");
	cr_expect_lt(bad, good, "bad CRC confidence %.3f not below valid %.3f", bad, good);
	redact_engine_free(e);
}

/* Masks keep the length, name the kind when there is room, and are never flagged again. */
Test(redact_rules, mask_format_and_idempotence)
{
	struct redact_engine *e = engine();
	char buf[] =
		"GITHUB_TOKEN=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\nSSN: 325-10-2665\nid 12\n";
	char expect[sizeof(buf)], again[sizeof(buf)];
	size_t len = sizeof(buf) - 1;
	int n;

	/* the format the header documents: "[kind]" then '*' to the span's length */
	snprintf(expect, sizeof(expect),
		 "GITHUB_TOKEN=[github-token]%.26s\nSSN: [us-ssn]***\nid 12\n",
		 "**************************");
	n = redact_mask(e, buf, len);
	cr_assert_eq(n, 2, "%d findings in '%s'", n, buf);
	cr_expect_str_eq(buf, expect);
	memcpy(again, buf, sizeof(buf));
	cr_expect_eq(redact_mask(e, again, len), 0, "masked output was flagged again: '%s'", again);
	cr_expect(!memcmp(again, buf, len));

	/* too short for the kind's name: stars only */
	char shortbuf[8] = "abcdefg";
	redact_mask_span(shortbuf, 7, "aws-access-key-id");
	cr_expect_str_eq(shortbuf, "*******");
	cr_expect(redact_is_masked("[github-token]*****", 19));
	cr_expect(redact_is_masked("*******", 7));
	cr_expect(!redact_is_masked("ghp_i15T5lg", 11));
	redact_engine_free(e);
}

/* A NUL or other binary byte on another line must not hide a text secret: writes to a
 * pipe often mix both (found by fuzz_redact: a NUL two lines down switched the
 * password-assignment rule off for the whole buffer, while the stream, cut elsewhere,
 * masked it). */
Test(redact_rules, binary_bytes_elsewhere_do_not_hide_secrets)
{
	static const char text[] = "SECRET_KEY = \"django-insecure-MJRPjoTqTySR8EnkRbqDQWMr3sxtsJd1"
				   "xHEx4tYj\"\nDEBUG \x01\x00\x61\xc0\x00\x17P\x80"
				   "ALLre\n";
	struct redact_engine *e = engine();
	size_t len = sizeof(text) - 1;
	const char *v = strstr(text, "django-");
	struct found fs;

	scan(e, text, len, &fs);
	cr_expect_eq(fs.n, 1, "%zu findings", fs.n);
	if (fs.n >= 1) {
		cr_expect_str_eq(fs.v[0].kind, "password-assignment");
		cr_expect_eq(fs.v[0].offset, (size_t)(v - text));
		cr_expect_eq(fs.v[0].length,
			     strlen("django-insecure-MJRPjoTqTySR8EnkRbqDQWMr3sxtsJd1"
				    "xHEx4tYj"));
	}
	redact_engine_free(e);
}
