"""Where NN demos run: a local worker process, or `quizbot worker` processes through Redis.

torch is imported only in those processes, never in the bot's.
"""
