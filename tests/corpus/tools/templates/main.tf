terraform {
  required_version = ">= 1.6"
  required_providers {
    digitalocean = { source = "digitalocean/digitalocean", version = "~> 2.40" }
    cloudflare   = { source = "cloudflare/cloudflare", version = "~> 4.0" }
  }
}

provider "digitalocean" {
  token = "⟦digitalocean-token⟧{{do}}⟦/⟧"
}

provider "cloudflare" {
  api_token = var.cloudflare_api_token
}

variable "cloudflare_api_token" {
  type      = string
  sensitive = true
}

resource "digitalocean_droplet" "web" {
  count    = 3
  image    = "ubuntu-24-04-x64"
  name     = "web-${count.index}"
  region   = "fra1"
  size     = "s-2vcpu-4gb"
  ssh_keys = ["{{hex:2}}:{{hex:2}}:{{hex:2}}:{{hex:2}}:{{hex:2}}:{{hex:2}}:{{hex:2}}:{{hex:2}}:{{hex:2}}:{{hex:2}}:{{hex:2}}:{{hex:2}}:{{hex:2}}:{{hex:2}}:{{hex:2}}:{{hex:2}}"]
}

resource "digitalocean_database_cluster" "pg" {
  name       = "orders-pg"
  engine     = "pg"
  version    = "16"
  size       = "db-s-1vcpu-2gb"
  region     = "fra1"
  node_count = 1
}

output "pg_uri" {
  value     = digitalocean_database_cluster.pg.uri
  sensitive = true
}

# state snapshot excerpt kept for the incident report
# "uri": "postgresql://doadmin:⟦database-url⟧{{password}}⟦/⟧@orders-pg-do-user-1840221-0.b.db.ondigitalocean.com:25060/defaultdb?sslmode=require"
# "lineage": "{{uuid}}"
