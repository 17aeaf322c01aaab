"""Every Persian string users see, in one place."""

from __future__ import annotations

WELCOME = (
    "سلام! 👋 من کوییزبات هستم، همراه تمرین یادگیری عمیق.\n\n"
    "اینجا می‌تونی با کوییزهای کوتاه، سوال‌های مصاحبه و درس‌های کوتاه "
    "مفاهیم یادگیری ماشین و شبکه‌های عصبی رو مرور کنی."
)
HELP = "راهنما:\n/start — شروع و معرفی\n/help — همین راهنما"
COMMAND_DESCRIPTIONS = {
    "start": "شروع و معرفی ربات",
    "help": "راهنمای دستورها",
}
