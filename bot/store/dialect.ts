/** The two backends: embedded SQLite for a single instance, PostgreSQL when several instances share state. */
export type StoreDialect = 'sqlite' | 'postgres';
