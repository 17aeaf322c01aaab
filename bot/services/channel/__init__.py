"""Channels: who administers them, their settings, planned posts and slots, vote results."""
