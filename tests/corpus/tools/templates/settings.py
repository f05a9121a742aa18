"""Django settings for the orders project (production overrides)."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "⟦password-assignment⟧django-insecure-{{opaque:40}}⟦/⟧"
DEBUG = False
ALLOWED_HOSTS = ["orders.northwind-retail.io", "10.40.3.17"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "orders",
        "USER": "orders_app",
        "PASSWORD": "⟦password-assignment⟧{{password}}⟦/⟧",
        "HOST": "orders-db.internal",
        "PORT": "5432",
    }
}

# Read from the environment in CI; the literal is the local fallback.
AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID", "⟦aws-access-key-id⟧{{akid}}⟦/⟧")
AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY", "⟦aws-secret-access-key⟧{{aws-secret}}⟦/⟧")
AWS_STORAGE_BUCKET_NAME = "nw-orders-media"

CELERY_BROKER_URL = "redis://:⟦database-url⟧{{password}}⟦/⟧@cache.internal:6379/1"

SENDGRID_API_KEY = os.getenv("SENDGRID_API_KEY")
GOOGLE_MAPS_KEY = "⟦gcp-api-key⟧{{gcp}}⟦/⟧"

# Static asset fingerprints (not secrets).
ASSET_MANIFEST = {
    "app.js": "{{sha256}}",
    "vendor.js": "{{sha256}}",
    "styles.css": "{{hex:32}}",
}
RELEASE = "{{sha1}}"
INSTANCE_ID = "{{uuid}}"

ADMINS = [("Ops", "⟦email⟧ops-alerts@northwind-retail.io⟦/⟧")]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}]
