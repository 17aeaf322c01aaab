"""The Telegram edge of group games: commands in groups, the settings panel, the games tick."""
