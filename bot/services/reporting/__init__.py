"""Statistics of learners and channels, their export and charts."""
