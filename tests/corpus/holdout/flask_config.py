import os


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev")
    SQLALCHEMY_TRACK_MODIFICATIONS = False


class ProductionConfig(Config):
    SECRET_KEY = '⟦password-assignment⟧mnrXqsnDsRgFTyvVHznuID8W5TPGNLyE⟦/⟧'
    SQLALCHEMY_DATABASE_URI = "mysql+pymysql://shop:⟦database-url|password-assignment|url-password⟧river*river617⟦/⟧@mysql.internal:3306/shop"
    JWT_SECRET_KEY = "⟦password-assignment⟧5yXfydeIfkrVSLPBnwlk626n1k0VEaIZlSiyqCWp⟦/⟧"
    WTF_CSRF_SECRET_KEY = b"⟦password-assignment⟧c092b413505b5f5181ff535ab4fc2aede37607bcf8778346⟦/⟧"
    MAIL_PASSWORD = "⟦password-assignment⟧CtMHN1ia408SKqRwVhGU0RGvi⟦/⟧"
    CACHE_TYPE = "RedisCache"
    CACHE_DEFAULT_TIMEOUT = 300


class TestConfig(Config):
    SECRET_KEY = "test"
    TESTING = True
