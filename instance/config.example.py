# Copy to instance/config.py and adjust. Every setting can also be given as an environment
# variable of the same name (QMS_DATABASE_URL, QMS_SECRET_KEY, ...); the environment wins.

# A long random value; generate one with:  python -c "import secrets; print(secrets.token_hex(32))"
# QMS_SECRET_KEY = "..."

# SQLite under instance/ is the default. For larger installations use PostgreSQL:
# QMS_DATABASE_URL = "postgresql+psycopg://qms:password@127.0.0.1:5432/qms"

# Minutes of inactivity after which a signed-in session ends.
# QMS_IDLE_TIMEOUT_MINUTES = 30

# Largest accepted upload, in megabytes.
# QMS_MAX_UPLOAD_MB = 20

# Where stored files live (default: instance/files).
# QMS_STORAGE_DIR = "/var/lib/qms/files"
