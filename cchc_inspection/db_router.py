"""Reads on the PostgreSQL read replica, writes on the primary ("default").

Installed only when DATABASE_REPLICA_URL is set (settings.py). A read stays on the primary when it
must see what was just written or takes part in a write:
- inside a transaction on the primary (services read, check and write in one `transaction.atomic`);
- `select_for_update()`, `get_or_create()` and the like, which Django already routes as writes;
- sessions, login lock-outs (django-axes), the task queue and the generated documents, read right
  after they are written (a worker takes a task the moment it is committed and looks up its document).
Pages read just after a redirect may still hit the replica: run it with synchronous replication
and `synchronous_commit = remote_apply` so that a committed write is visible there (docs/performance.md).
"""

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PRIMARY_ONLY_APPS = {"sessions", "axes", "django_tasks_db"}
PRIMARY_ONLY_MODELS = {"reports.generateddocument"}


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        meta = model._meta
        if (
            meta.app_label in PRIMARY_ONLY_APPS
            or meta.label_lower in PRIMARY_ONLY_MODELS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
