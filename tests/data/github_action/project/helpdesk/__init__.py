"""The application whose migrations are reviewed; its revisions import it, as real ones do."""
