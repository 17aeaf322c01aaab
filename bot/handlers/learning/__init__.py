"""Learners in private chat: quizzes, tests, interview questions, reviews, their own data."""
