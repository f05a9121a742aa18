# frozen_string_literal: true

require "net/http"
require "json"

module Deploy
  NEWRELIC_USER_KEY = "⟦newrelic-key⟧{{newrelic}}⟦/⟧"
  NEWRELIC_BROWSER_KEY = "⟦newrelic-key⟧{{newrelic:NRJS}}⟦/⟧"
  HONEYBADGER_ENV = "production"
  RELEASE_SHA = "{{sha1}}"
  LINEAR_TOKEN = ENV.fetch("LINEAR_API_KEY") { "⟦linear-key⟧{{linear}}⟦/⟧" }

  def self.mark(revision)
    uri = URI("https://api.newrelic.com/graphql")
    req = Net::HTTP::Post.new(uri, "API-Key" => NEWRELIC_USER_KEY, "Content-Type" => "application/json")
    req.body = { query: "mutation { changeTrackingCreateDeployment(deployment: {version: \"#{revision}\", entityGuid: \"{{b64:36}}\"}) { deploymentId } }" }.to_json
    Net::HTTP.start(uri.host, uri.port, use_ssl: true) { |http| http.request(req) }
  end
end

# Shopify store used by the sync job
ShopifyAPI::Context.setup(
  api_key: "⟦password-assignment⟧{{hex:32}}⟦/⟧",
  api_secret_key: "⟦shopify-token⟧{{shopify:shpss}}⟦/⟧",
  host: "https://orders.northwind-retail.io",
  scope: "read_orders,read_customers",
  is_embedded: false,
  api_version: "2024-10",
)
