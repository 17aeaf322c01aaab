"""The channel engine: claim a due post, render it, send it through a sender, mark the result.

Telegram-free: it talks to a `ChannelSender` (bot/handlers/channel/sender.py implements it
with the Bot API), so the whole exactly-once policy is tested without a bot.
"""
