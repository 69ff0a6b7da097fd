"""Django settings for the test suite: the real settings, in local mode, in a temporary folder.

The database is SQLite unless DATABASE_URL is set; scripts/test runs the web tests a second time
with DATABASE_URL pointing at PostgreSQL. IMHEVAL_TEST_DB_NAME names the PostgreSQL test
database (default test_<name>), so two runs on one server do not collide.
"""

import os
import tempfile

os.environ["IMHEVAL_DATA_DIR"] = tempfile.mkdtemp(prefix="imheval-test-")
os.environ["IMHEVAL_MODE"] = "local"

from imheval.web.settings import *  # noqa: F403
from imheval.web.settings import DATABASES

# Fast hashing in tests only; the security tests check the real list (Argon2 first).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if os.environ.get("IMHEVAL_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["IMHEVAL_TEST_DB_NAME"]}

# SQLite tests use a file in the data folder, not Django's in-memory database: the in-memory one
# is shared-cache SQLite, whose table locks fail at once instead of waiting (no busy timeout), so
# a live server's request and the background worker's thread could fail each other at random.
# A file runs with the production settings (WAL, busy timeout, IMMEDIATE transactions).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(os.environ["IMHEVAL_DATA_DIR"], "test.sqlite3")
    }
