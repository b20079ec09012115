"""Schema migrations: ``wolfpy db migrate | rollback | status | init``.

Split by responsibility, as Django does:

- :mod:`.state` — the schema as plain data, read from the models or a migration file;
- :mod:`.operations` — ``CreateTable``, ``AddColumn``, ``RunSQL`` ...: each changes the
  state, renders its SQL and knows its reverse (the column operations in
  :mod:`.column_operations`, what they all share in :mod:`.base`);
- :mod:`.schema` — the SQL of each change per backend, built on ``playhouse.migrate``;
- :mod:`.loader` — reads ``migrations/NNNN_name.py`` and links each to the ones it follows;
- :mod:`.merge` — the union of the states of branches that ``wolfpy db migrate --merge`` joins;
- :mod:`.recorder` — the ``wolfpy_migrations`` table (a row means applied);
- :mod:`.autodetector` — the operations from the migrations' state to the models';
- :mod:`.writer` — renders a new migration file;
- :mod:`.executor` and :mod:`.locks` — apply and reverse, in transactions, under a lock;
- :mod:`.runner` — the steps the ``wolfpy db`` commands take.

Migration files import their operations from here::

    from wolfpy.db.migrations import AddColumn, RunSQL
"""
from .operations import (AddColumn, AddIndex, AlterColumn, CreateTable, DropColumn, DropIndex,
                         DropTable, IrreversibleError, Operation, OperationContext, RenameColumn,
                         RenameTable, RunSQL)

__all__ = ["AddColumn", "AddIndex", "AlterColumn", "CreateTable", "DropColumn", "DropIndex",
           "DropTable", "IrreversibleError", "Operation", "OperationContext", "RenameColumn",
           "RenameTable", "RunSQL"]
