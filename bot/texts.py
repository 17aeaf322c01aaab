"""Every Persian string users see, in one place.

Templates use str.format fields; numbers passed in are already in Persian digits.
"""

from __future__ import annotations

BOT_NAME = "کوییزبات"

WELCOME = (
    "سلام! 👋 من کوییزبات هستم، همراه تمرین یادگیری عمیق.\n\n"
    "اینجا می‌تونی:\n"
    "🎯 کوییز جواب بدی و توضیحش رو ببینی\n"
    "📝 یک آزمون چندسوالی بدی و کارنامه بگیری\n"
    "💡 سوال‌های مصاحبهٔ شغلی رو با پاسخ نمونه تمرین کنی\n"
    "🔁 اشتباه‌هات رو با مرور فاصله‌دار (Spaced Repetition) دوباره ببینی\n"
    "📊 پیشرفتت رو دنبال کنی\n\n"
    "جواب‌هات بدون نام و شناسه ذخیره می‌شن. از منوی پایین شروع کن."
)
HELP = (
    "راهنمای کوییزبات:\n\n"
    "/quiz — یک کوییز (مثلاً /quiz cnn برای یک موضوع)\n"
    "/test — آزمون چندسوالی (مثلاً /test cnn 10)\n"
    "/interview — سوال مصاحبه با پاسخ نمونه\n"
    "/topics — موضوع‌ها و تعداد سوال‌هاشون\n"
    "/review — مرور سوال‌هایی که وقت مرورشون رسیده\n"
    "/me — پیشرفت من\n"
    "/demo — دموی شبکهٔ عصبی (مثلاً /demo optimizers)\n"
    "/forget — پاک کردن همهٔ داده‌های من\n"
    "/help — همین راهنما"
)
COMMAND_DESCRIPTIONS = {
    "start": "شروع و معرفی",
    "quiz": "یک کوییز تصادفی یا از یک موضوع",
    "test": "آزمون چندسوالی با کارنامه",
    "interview": "سوال مصاحبه با پاسخ نمونه",
    "topics": "موضوع‌ها",
    "review": "مرور فاصله‌دار اشتباه‌ها",
    "me": "پیشرفت من",
    "demo": "دموی شبکهٔ عصبی با نمودار",
    "forget": "پاک کردن داده‌های من",
    "help": "راهنما",
}

# Reply-keyboard menu: button text → the command it stands for.
MENU = {
    "🎯 کوییز": "quiz",
    "📝 آزمون": "test",
    "💡 سوال مصاحبه": "interview",
    "📚 موضوع‌ها": "topics",
    "🔁 مرور": "review",
    "📊 پیشرفت من": "me",
    "🔬 دمو": "demo",
    "❓ راهنما": "help",
}
MENU_ROWS = (
    ("🎯 کوییز", "📝 آزمون"),
    ("💡 سوال مصاحبه", "📚 موضوع‌ها"),
    ("🔁 مرور", "📊 پیشرفت من"),
    ("🔬 دمو", "❓ راهنما"),
)

UNKNOWN_COMMAND = "این دستور رو نمی‌شناسم 🤔 برای دیدن دستورها /help رو بزن."
FREE_TEXT = "برای شروع یکی از دکمه‌های منو رو بزن یا /help رو ببین."
UNKNOWN_TOPIC = "موضوع «{topic}» رو پیدا نکردم. یکی از این‌ها رو انتخاب کن:"
BAD_TEST_SIZE = "تعداد سوال‌های آزمون باید بین {low} و {high} باشه؛ مثلاً /test cnn 10"
NO_QUIZZES = "فعلاً کوییزی برای این موضوع ندارم."
NO_INTERVIEWS = "فعلاً سوال مصاحبه‌ای برای این موضوع ندارم."
ALL_SEEN = "همهٔ کوییزهای {scope} رو دیدی 👏 از اول مرورشون می‌کنیم."
ALL_SEEN_INTERVIEW = "همهٔ سوال‌های مصاحبهٔ {scope} رو دیدی؛ از اول می‌ریم."
SCOPE_ALL = "بانک"
SCOPE_TOPIC = "موضوع «{title}»"
ITEM_GONE = "این مورد دیگه در دسترس نیست."
BAD_BUTTON = "این دکمه معتبر نیست."
TRY_AGAIN = "⚠️ الان نتونستم انجامش بدم؛ چند لحظه بعد دوباره امتحان کن."

NEXT_QUIZ_BUTTON = "➡️ کوییز بعدی"

INTERVIEW_TITLE = "💡سوال مصاحبه: {question}"
SHOW_ANSWER_BUTTON = "👀 نمایش پاسخ"
ANSWER_HEADER = "پاسخ نمونه:"
BULLET = "🔵 {text}"

TOPICS_HEADER = "📚 موضوع‌ها (تعداد کوییز · سوال مصاحبه):"
TOPIC_BUTTON = "{title} ({quizzes} · {interviews})"
TOPIC_MENU = "موضوع «{title}»: چی می‌خوای؟"
TOPIC_QUIZ_BUTTON = "🎯 کوییز"
TOPIC_TEST_BUTTON = "📝 آزمون {size}تایی"
TOPIC_INTERVIEW_BUTTON = "💡 سوال مصاحبه"

TEST_START = "📝 آزمون {size} سوالی {scope} شروع شد. موفق باشی!"
TEST_PROGRESS = "سوال {index} از {size}"
TEST_NOT_ENOUGH = "برای {scope} فقط {count} کوییز دارم؛ آزمون با همین تعداد برگزار می‌شه."
SCORE_CARD = (
    "🏁 کارنامهٔ آزمون\n\nدرست: {correct} از {size} ({percent})\nزمان: {duration}\n{weakest}"
)
WEAKEST_TOPIC = "ضعیف‌ترین موضوع: {title} ({correct} از {total})"
NO_WEAK_TOPIC = "همه رو درست جواب دادی؛ عالی! 🌟"

REVIEW_HEADER = "🔁 مرور: {count} سوال آماده داری."
REVIEW_NOTHING_DUE = "چیزی برای مرور نداری ✨ مرور بعدی: {date}"
REVIEW_EMPTY = "هنوز کوییزی جواب ندادی که مرور بخواد. با /quiz شروع کن."
REVIEW_DONE = "مرورهای الان تموم شد ✨ مرور بعدی: {date}"

PROGRESS = (
    "📊 پیشرفت تو\n\n"
    "پاسخ‌ها: {answered} — درست: {correct} ({percent})\n"
    "زنجیرهٔ روزانه: {streak} روز\n"
    "مرورهای آماده: {due}"
)
PROGRESS_TOPIC = "• {title}: {correct} از {total} ({percent})"
PROGRESS_TOPICS_HEADER = "\nبه تفکیک موضوع:"
PROGRESS_EMPTY = "هنوز به کوییزی جواب ندادی. با /quiz شروع کن!"

FORGET_CONFIRM = "مطمئنی؟ همهٔ جواب‌ها، مرورها و آزمون‌هات برای همیشه پاک می‌شن و برنمی‌گردن."
FORGET_YES = "بله، پاک کن"
FORGET_NO = "نه، منصرف شدم"
FORGET_DONE = "همهٔ داده‌هات پاک شد. اگه خواستی دوباره از /start شروع کن."
FORGET_CANCELLED = "باشه، چیزی پاک نشد."

ADMIN_ERROR_REPORT = "⚠️ خطا در پردازش یک آپدیت ({update_kind}):\n{error}"

DEMO_MENU = "🔬 دموهای شبکهٔ عصبی: یکی رو انتخاب کن تا خودت ببینی چی می‌شه."
DEMO_PANEL = "🔬 {title}\n{summary}\n\nپارامترها:\n{params}\n\nبرای تنظیم دقیق‌تر:\n{command}"
DEMO_PARAM_LINE = "• {label}: {value}"
DEMO_RUN_BUTTON = "▶️ اجرا"
DEMO_PROGRESS = "⏳ {title}: {stage} ({percent})"
DEMO_QUEUED = "⏳ {title}: در صف اجرا…"
DEMO_COOLDOWN = (
    "⏳ هر کاربر هر {every} ثانیه یک دموی تازه می‌تونه اجرا کنه؛ {wait} ثانیهٔ دیگه دوباره امتحان کن."
)
DEMO_TIMEOUT = "⌛ این دمو بیش از حد طول کشید و متوقفش کردم. با پارامترهای کوچیک‌تر امتحان کن."
DEMO_UNKNOWN = "دمویی به اسم «{name}» نداریم. /demo رو بزن تا فهرست رو ببینی."
DEMO_BAD_ARGUMENT = "«{text}» رو نفهمیدم؛ پارامترها رو این‌طوری بنویس: /demo {name} key=value"
DEMO_UNAVAILABLE = "دموها الان در دسترس نیستن."
DEMO_OFFER_BUTTON = "🔬 خودت ببین"
DEMO_REPEAT = "تکرار: {command}"
