"""Django settings for the orders project (production overrides)."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "⟦password-assignment⟧django-insecure-MJRPjoTqTySR8EnkRbqDQWMr3sxtsJd1xHEx4tYj⟦/⟧"
DEBUG = False
ALLOWED_HOSTS = ["orders.northwind-retail.io", "10.40.3.17"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "orders",
        "USER": "orders_app",
        "PASSWORD": "⟦password-assignment⟧e2QAahmw5TBnztEy*I9d~b⟦/⟧",
        "HOST": "orders-db.internal",
        "PORT": "5432",
    }
}

# Read from the environment in CI; the literal is the local fallback.
AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID", "⟦aws-access-key-id⟧AKIAHHYMOHMF6XGFHECH⟦/⟧")
AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY", "⟦aws-secret-access-key⟧QEEvjj0i0QRFBrn2pRZ+xMwlkwtJK65m7x1LMbw+⟦/⟧")
AWS_STORAGE_BUCKET_NAME = "nw-orders-media"

CELERY_BROKER_URL = "redis://:⟦database-url⟧KzdqoFpdyTa0jy39bgAG1t⟦/⟧@cache.internal:6379/1"

SENDGRID_API_KEY = os.getenv("SENDGRID_API_KEY")
GOOGLE_MAPS_KEY = "⟦gcp-api-key⟧AIzaSylgyHl76Rk4Q6xLZdL10BjHH_s7FAqBi-c⟦/⟧"

# Static asset fingerprints (not secrets).
ASSET_MANIFEST = {
    "app.js": "8c5cca9a0c633e2a3c05fda8e0e89e440689afc62a599f0749617076cad835d2",
    "vendor.js": "956caf595e4cf3b6b047dce68085959576a657703573114b11f224a6b16749d1",
    "styles.css": "93497c136c34168c0258cb082cbddee5",
}
RELEASE = "44531a84969186681c9ce15f595e3d95b59b056c"
INSTANCE_ID = "ac9d3ec8-2bf8-4e97-b35a-37794e0abf76"

ADMINS = [("Ops", "⟦email⟧ops-alerts@northwind-retail.io⟦/⟧")]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}]
