"""Interchange formats for quizzes: Moodle GIFT and Aiken, and CSV for spreadsheets."""
