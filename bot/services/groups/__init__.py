"""Quiz games in groups: settings chosen by the group's admins, games as a durable state machine."""
