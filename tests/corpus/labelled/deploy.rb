# frozen_string_literal: true

require "net/http"
require "json"

module Deploy
  NEWRELIC_USER_KEY = "⟦newrelic-key⟧NRAK-DIRT2GH5P23J3ULO74ASRE05PF1⟦/⟧"
  NEWRELIC_BROWSER_KEY = "⟦newrelic-key⟧NRJS-3384f92ef248a6b85fe⟦/⟧"
  HONEYBADGER_ENV = "production"
  RELEASE_SHA = "c0c24b6acfe409a1ecc0003f9676874f5856b4b4"
  LINEAR_TOKEN = ENV.fetch("LINEAR_API_KEY") { "⟦linear-key⟧lin_api_EOeOiroRwUQtzKtInKcpzJkHsWdxojnta6gooBet⟦/⟧" }

  def self.mark(revision)
    uri = URI("https://api.newrelic.com/graphql")
    req = Net::HTTP::Post.new(uri, "API-Key" => NEWRELIC_USER_KEY, "Content-Type" => "application/json")
    req.body = { query: "mutation { changeTrackingCreateDeployment(deployment: {version: \"#{revision}\", entityGuid: \"S3MLj9FCMyQE05cbMuavVsN9QSIOrXbNTUO82ZoIhmobbkaR\"}) { deploymentId } }" }.to_json
    Net::HTTP.start(uri.host, uri.port, use_ssl: true) { |http| http.request(req) }
  end
end

# Shopify store used by the sync job
ShopifyAPI::Context.setup(
  api_key: "⟦password-assignment⟧65ecb1f484a507fe0ff211c88e8e09ec⟦/⟧",
  api_secret_key: "⟦shopify-token⟧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⟦/⟧",
  host: "https://orders.northwind-retail.io",
  scope: "read_orders,read_customers",
  is_embedded: false,
  api_version: "2024-10",
)
