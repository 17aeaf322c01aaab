"""The content bank in the database: syncing the files, importing a channel's history."""
