"""Learners in private chat: picking quizzes, tests, reviews, answers, progress, forgetting."""
