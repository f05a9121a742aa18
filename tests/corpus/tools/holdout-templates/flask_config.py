import os


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev")
    SQLALCHEMY_TRACK_MODIFICATIONS = False


class ProductionConfig(Config):
    SECRET_KEY = '⟦password-assignment⟧{{opaque:32}}⟦/⟧'
    SQLALCHEMY_DATABASE_URI = "mysql+pymysql://shop:⟦database-url|password-assignment|url-password⟧{{password}}⟦/⟧@mysql.internal:3306/shop"
    JWT_SECRET_KEY = "⟦password-assignment⟧{{opaque:40}}⟦/⟧"
    WTF_CSRF_SECRET_KEY = b"⟦password-assignment⟧{{hex:48}}⟦/⟧"
    MAIL_PASSWORD = "⟦password-assignment⟧{{password}}⟦/⟧"
    CACHE_TYPE = "RedisCache"
    CACHE_DEFAULT_TIMEOUT = 300


class TestConfig(Config):
    SECRET_KEY = "test"
    TESTING = True
