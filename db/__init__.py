"""PostgreSQL schema: versioned SQL files and the migrator that applies them."""
