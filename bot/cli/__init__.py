"""The `quizbot` command line."""
