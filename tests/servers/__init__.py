"""Real local servers (SMTP, HTTP, PostgreSQL) that tests start and stop."""
