"""Players' first names, in this process's memory only, for the leaderboard of their game.

The names come with each `poll_answer` update and are never written to the database: after
a restart they are gone, and the leaderboard numbers the players whose names it lost
(«بازیکن ۲»). A player who answers again after the restart is named again.
"""

from __future__ import annotations

# A first name may be 64 characters; the leaderboard shows this many.
NAME_LENGTH = 32


class PlayerNames:
    """First names by game and player hash."""

    def __init__(self) -> None:
        self._names: dict[int, dict[str, str]] = {}

    def remember(self, game_id: int, player: str, name: str) -> None:
        """Keep a player's first name for the game's leaderboard."""
        self._names.setdefault(game_id, {})[player] = name

    def name_of(self, game_id: int, player: str) -> str | None:
        """The player's first name, if this process saw one during the game."""
        return self._names.get(game_id, {}).get(player)

    def forget_game(self, game_id: int) -> None:
        """Drop a finished game's names."""
        self._names.pop(game_id, None)

    def games(self) -> list[int]:
        """The games whose names are held (tests check that finished games leave none)."""
        return list(self._names)
