"""Storage: tables, the database and its transactions, schema migrations, record locking, the audit trail."""
