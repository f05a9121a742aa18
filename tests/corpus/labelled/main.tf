terraform {
  required_version = ">= 1.6"
  required_providers {
    digitalocean = { source = "digitalocean/digitalocean", version = "~> 2.40" }
    cloudflare   = { source = "cloudflare/cloudflare", version = "~> 4.0" }
  }
}

provider "digitalocean" {
  token = "⟦digitalocean-token⟧dop_v1_3976f93c16ffa854a7b5df1d2dc0f08021e246b3f5479d558617e9b2e9671758⟦/⟧"
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
  ssh_keys = ["8f:cb:da:7d:3b:cc:08:01:e2:2e:99:34:41:44:54:da"]
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
# "uri": "postgresql://doadmin:⟦database-url⟧3IIwqJWqrSuE4XPwrpmoHbnr⟦/⟧@orders-pg-do-user-1840221-0.b.db.ondigitalocean.com:25060/defaultdb?sslmode=require"
# "lineage": "a40f1f49-5a48-4082-9a1a-5540a46c739e"
