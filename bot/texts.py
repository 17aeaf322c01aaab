"""Every Persian string users see, in one place.

Templates use str.format fields; numbers passed in are already in Persian digits.
"""

from __future__ import annotations

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
    "/remind — یادآور روزانهٔ مرور (مثلاً /remind ۲۱)\n"
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
    "remind": "یادآور روزانهٔ مرور",
    "demo": "دموی شبکهٔ عصبی با نمودار",
    "forget": "پاک کردن داده‌های من",
    "help": "راهنما",
}
# Admin commands are listed in /help for admins rather than in every learner's menu.
ADMIN_HELP = (
    "دستورهای ادمین کانال:\n"
    "/channels — انتخاب کانال\n"
    "/settings — تنظیمات کانال (امضا، هشتگ، شماره، بی‌صدا، سنجاق)\n"
    "/schedule — زمان‌بندی کوییز، سوال مصاحبه یا درس\n"
    "/queue — صف انتشار با لغو و جابه‌جایی\n"
    "/postnow — انتشار همین الان\n"
    "/slot، /slots، /unslot — زمان‌های ثابت (مثلاً هر روز ۱۸:۰۰)\n"
    "/results — نتایج کوییزهای کانال\n"
    "/export — خروجی آمار (xlsx، csv یا json)"
)

# Reply-keyboard menu: button text → the command it stands for.
MENU = {
    "🎯 کوییز": "quiz",
    "📝 آزمون": "test",
    "💡 سوال مصاحبه": "interview",
    "📚 موضوع‌ها": "topics",
    "🔁 مرور": "review",
    "📊 پیشرفت من": "me",
    "🔬 دمو": "demo",
    "⏰ یادآور": "remind",
    "❓ راهنما": "help",
}
MENU_ROWS = (
    ("🎯 کوییز", "📝 آزمون"),
    ("💡 سوال مصاحبه", "📚 موضوع‌ها"),
    ("🔁 مرور", "📊 پیشرفت من"),
    ("🔬 دمو", "⏰ یادآور", "❓ راهنما"),
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
FLOW_EXPIRED = "این گفتگو تموم شده یا منقضی شده؛ دستورش رو دوباره بزن."
BAD_BUTTON = "این دکمه معتبر نیست."
UNREADABLE_TEXT = "این پیام نویسه‌هایی داره که نمی‌تونم بخونم؛ لطفاً دوباره بنویسش."
TRY_AGAIN = "⚠️ الان نتونستم انجامش بدم؛ چند لحظه بعد دوباره امتحان کن."

NEXT_QUIZ_BUTTON = "➡️ کوییز بعدی"

INTERVIEW_TITLE = "💡سوال مصاحبه: {question}"
# A channel quiz poll's question, numbered as the channel's series goes.
CHANNEL_QUIZ_TITLE = "❓کوییز شماره {number}: {question}"
SHOW_ANSWER_BUTTON = "👀 نمایش پاسخ"
ANSWER_HEADER = "پاسخ نمونه:"
BULLET = "🔵 {text}"

TOPICS_HEADER = "📚 موضوع‌ها (تعداد کوییز · سوال مصاحبه):"
TOPIC_BUTTON = "{title} ({quizzes} · {interviews})"
TOPIC_MENU = "موضوع «{title}»: چی می‌خوای؟"
TOPIC_QUIZ_BUTTON = "🎯 کوییز"
TOPIC_TEST_BUTTON = "📝 آزمون {size}تایی"
TOPIC_INTERVIEW_BUTTON = "💡 سوال مصاحبه"

TEST_START = "📝 آزمون {size} سوالی {scope} شروع شد{timer}. موفق باشی!"
TEST_NOT_ENOUGH = "برای {scope} فقط {count} کوییز دارم؛ آزمون با همین تعداد برگزار می‌شه."
SCORE_CARD = (
    "🏁 کارنامهٔ آزمون\n\n"
    "درست: {correct} از {size} ({percent})\n"
    "نادرست: {wrong}{unanswered}\n"
    "زمان: {duration}\n{weakest}"
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
DEMO_INTERRUPTED = "⏹ اجرای این دمو نیمه‌کاره موند (ربات داشت دوباره راه می‌افتاد). یک دقیقهٔ دیگه همین دستور رو دوباره بفرست."
DEMO_UNAVAILABLE = "دموها الان در دسترس نیستن."
DEMO_OFFER_BUTTON = "🔬 خودت ببین"
DEMO_REPEAT = "تکرار: {command}"
# Why a demo's parameters were refused, one per code of nn_demos.catalogue.ParamErrorCode
# (an unknown demo is DEMO_UNKNOWN); a list parameter gets DEMO_NOT_CHOICES.
DEMO_UNKNOWN_PARAM = "پارامتر «{param}» رو نمی‌شناسم؛ پارامترهای این دمو: {allowed}"
DEMO_NOT_A_NUMBER = "«{label}» باید عدد باشه."
DEMO_OUT_OF_RANGE = "«{label}» باید بین {minimum} و {maximum} باشه."
DEMO_NOT_A_CHOICE = "«{label}» باید یکی از این‌ها باشه: {allowed}"
DEMO_NOT_CHOICES = "«{label}» فقط می‌تونه از این‌ها باشه: {allowed}"

# --- channel admins ------------------------------------------------------------------------
NOT_ADMIN = "این بخش مخصوص ادمین‌های کاناله و شما ادمین کانالی که ربات در اون عضوه نیستید."
NO_CHANNELS = "ربات هنوز ادمین هیچ کانالی نیست. اول ربات رو با دسترسی ارسال پیام ادمین کانال کنید."
CHANNEL_ADDED = (
    "✅ کانال «{title}» ثبت شد. از /channels تنظیماتش رو ببینید و با /schedule پست زمان‌بندی کنید."
)
CHANNEL_LIST = "کانال‌هایی که ادمینشون هستید:"
CHANNEL_CHOSEN = "کانال «{title}» انتخاب شد."
CHANNEL_SETTINGS = (
    "⚙️ تنظیمات «{title}»\n\n"
    "امضا: {signature}\n"
    "هشتگ‌های پیش‌فرض: {hashtags}\n"
    "شمارهٔ کوییز بعدی: {number}\n"
    "ارسال بی‌صدا: {silent}\n"
    "سنجاق کوییزها: {pin}\n"
    "مهلت پست‌های عقب‌افتاده: {grace} دقیقه\n\n"
    "تغییر: /signature متن · /hashtags #a #b · /quiznumber 96 · /grace 60"
)
YES = "بله"
NO = "خیر"
NONE_SET = "—"
TOGGLE_SILENT = "🔕 بی‌صدا: {state}"
TOGGLE_PIN = "📌 سنجاق: {state}"
SETTING_SAVED = "ذخیره شد."
SETTING_USAGE = "این‌طوری بنویسید: {usage}"
QUIZ_NUMBER_TAKEN = (
    "شمارهٔ {number} قبلاً به کوییزی از این کانال رسیده؛ شمارهٔ بعدی باید دست‌کم {minimum} باشه."
)
SETTING_EXAMPLES = {
    "signature": "/signature @Data_ML | دیتاساینس",
    "hashtags": "/hashtags #Deep_Learning",
    "quiznumber": "/quiznumber 96",
    "grace": "/grace 60 (بین ۱ و ۱۴۴۰ دقیقه)",
}
KIND_TITLES = {"quiz": "کوییز", "interview": "سوال مصاحبه", "lesson": "درس"}
SCHEDULE_KIND = (
    "چی زمان‌بندی کنیم؟ (یا بنویسید /schedule کوییز cnn برای یک موضوع، یا /schedule درس شناسه)"
)
SCHEDULE_NEXT_BUTTON = "بعدی از بانک ({kind})"
SCHEDULE_WHEN = (
    "کی منتشر بشه؟ یکی از این‌ها رو بزنید یا بنویسید، مثلاً ۱۸:۳۰ یا فردا ساعت ۶ عصر"
    " یا پس‌فردا ۹ صبح یا شنبه ۲۰:۰۰ یا ۱۴۰۵/۰۹/۱۰ ۱۸:۰۰ (به وقت تهران)."
)
SCHEDULE_TODAY = "امروز {time}"
SCHEDULE_TOMORROW = "فردا {time}"
SCHEDULE_PREVIEW = "👆 پیش‌نمایش، دقیقاً همون‌طور که در «{title}» منتشر می‌شه، {when}. تأیید می‌کنید؟"
SCHEDULE_NUMBER_FORECAST = "🔢 شمارهٔ کوییز موقع انتشار قطعی می‌شه؛ این شماره‌ایه که به احتمال زیاد می‌گیره (یه /postnow یا پست زودتر وسطش جابه‌جاش می‌کنه)."
SCHEDULE_CONFIRM = "✅ تأیید"
SCHEDULE_ABORT = "✖️ انصراف"
SCHEDULED = "🗓 زمان‌بندی شد: {kind} «{item}» برای {when} (شمارهٔ پست {id})."
SCHEDULE_ABORTED = "زمان‌بندی لغو شد."
SCHEDULE_BAD_TIME = (
    "تاریخ و ساعت رو نفهمیدم؛ مثلاً بنویسید ۱۸:۳۰ یا فردا ساعت ۶ عصر یا ۱۴۰۵/۰۹/۱۰ ۱۸:۰۰"
)
SCHEDULE_EXPIRED = "این زمان‌بندی دیگه معتبر نیست؛ دوباره /schedule رو بزنید."
# Why a post cannot be scheduled, by the service's problem code.
SCHEDULE_PROBLEMS = {
    "past": "این زمان گذشته؛ یک زمان آینده انتخاب کن.",
    "exhausted": "همهٔ موارد این نوع قبلاً در این کانال منتشر یا زمان‌بندی شدن.",
    "not_found": "مورد «{item}» پیدا نشد یا بازنشسته شده.",
    "too_long": "«{item}» با شماره، هشتگ‌ها و امضا بیشتر از {limit} کاراکتر می‌شه؛ کوتاهش کن.",
    "unknown_channel": "این کانال رو نمی‌شناسم.",
}
# A failed post's detail, when it is one of our problem codes rather than Telegram's words.
NOTICE_PROBLEMS = {
    "not_found": "موردش دیگه در بانک نیست یا بازنشسته شده.",
    "too_long": "با شماره، هشتگ‌ها و امضا از محدودیت تلگرام بلندتر می‌شه.",
}
QUEUE_EMPTY = "صف انتشار خالیه."
QUEUE_HEADER = "🗓 صف انتشار «{title}»:"
QUEUE_LINE = "#{id} · {when} · {kind}: {item}"
QUEUE_CANCEL = "✖️ لغو #{id}"
QUEUE_LATER = "⏩ یک ساعت بعد #{id}"
QUEUE_CANCELLED = "پست #{id} لغو شد."
QUEUE_ATTENTION_HEADER = "⚠️ منتظر تصمیم شما (دوباره بفرستید یا کنار بذارید):"
QUEUE_ATTENTION_LINE = "{state} · "
QUEUE_DISMISS = "🗑 کنار بذار #{id}"
POST_STATES = {
    "missed": "جا مونده",
    "failed": "منتشر نشد",
    "uncertain": "نامعلوم",
}
QUEUE_MOVED = "پست #{id} به {when} منتقل شد."
QUEUE_GONE = "این پست دیگه در صف نیست."
POSTNOW_USAGE = (
    "این‌طوری بنویسید: /postnow quiz یا /postnow interview یا /postnow lesson یا /postnow شمارهٔ‌پست"
)
POSTNOW_DONE = "🚀 پست #{id} همین الان منتشر می‌شه."
SLOTS_HEADER = "🔁 زمان‌های ثابت «{title}»:"
SLOT_LINE = "#{id} · {kind} · {days} ساعت {time}"
SLOTS_EMPTY = (
    "زمان ثابتی تعریف نشده. مثال: /slot کوییز هر روز ۱۸:۰۰ یا /slot مصاحبه شنبه، سه‌شنبه ۱۰ صبح"
)
SLOT_ADDED = "🔁 زمان ثابت #{id} ثبت شد: {kind} {days} ساعت {time}"
SLOT_REMOVED = "زمان ثابت #{id} حذف شد."
SLOT_USAGE = (
    "این‌طوری بنویسید: /slot کوییز هر روز ۱۸:۰۰ یا /slot مصاحبه شنبه، سه‌شنبه ۱۰ صبح\n"
    "نوع: کوییز، مصاحبه یا درس · روزها: هر روز یا نام روزها (با «،» یا «و») · "
    "ساعت: ۱۸:۳۰، ۶ عصر، ۹ شب · انگلیسی هم می‌شه: /slot quiz daily 18:00"
)
EVERY_DAY = "هر روز"
WEEKDAY_NAMES = {
    1: "دوشنبه",
    2: "سه‌شنبه",
    3: "چهارشنبه",
    4: "پنج‌شنبه",
    5: "جمعه",
    6: "شنبه",
    7: "یکشنبه",
}
# --- Persian input and item words in lists (issue 11, item 4) ---
SLOT_TOPIC = " · موضوع «{topic}»"
# The command menu of channel admins, in their private chat with the bot: the learners'
# commands (COMMAND_DESCRIPTIONS) and then these.
ADMIN_COMMAND_DESCRIPTIONS = {
    "channels": "ادمین: انتخاب کانال",
    "settings": "ادمین: تنظیمات کانال",
    "schedule": "ادمین: زمان‌بندی یک پست",
    "queue": "ادمین: صف انتشار",
    "postnow": "ادمین: انتشار همین الان",
    "slot": "ادمین: زمان ثابت تازه (مثلاً کوییز هر روز ۱۸:۰۰)",
    "slots": "ادمین: زمان‌های ثابت",
    "unslot": "ادمین: حذف یک زمان ثابت",
    "signature": "ادمین: امضای پست‌ها",
    "hashtags": "ادمین: هشتگ‌های پیش‌فرض",
    "quiznumber": "ادمین: شمارهٔ کوییز بعدی",
    "grace": "ادمین: مهلت پست‌های عقب‌افتاده",
    "results": "ادمین: نتایج کوییزهای کانال",
    "export": "ادمین: خروجی آمار",
}
SLOT_NEXT = "\n   بعدی: {when} · {item}"
RESULTS_HEADER = "📊 نتایج کوییزهای اخیر «{title}»:"
RESULTS_EMPTY = "هنوز کوییزی در این کانال منتشر نشده."
RESULTS_QUIZ = "❓کوییز شماره {number}: {question}\n{options}\n{summary}"
RESULTS_QUIZ_UNNUMBERED = "❓{question}\n{options}\n{summary}"
# The right-to-left mark keeps every option line right-to-left, so the bars line up even
# when an option starts with a Latin word.
RESULTS_OPTION = "\u200f{bar} {share} {text}{mark}"
RESULTS_CORRECT = "درست: {share} از {voters} رأی"
RESULTS_UNKNOWN = "درست: نامعلوم (پاسخ درست این کوییز ثبت نشده) · {voters} رأی"
RESULTS_MULTIPLE = (
    "چندپاسخی (هر گزینهٔ درست ✅): سهم کسایی که دقیقاً همهٔ گزینه‌های درست رو زدن از "
    "شمارش رأی‌ها معلوم نمی‌شه · {voters} رأی"
)
NOTICE_MISSED = "⚠️ پست #{number} «{channel}» (موعد {when}) وقتی ربات خاموش بود گذشت و از مهلت هم رد شد؛ منتشر نشد. با /postnow {id} می‌تونید الان منتشرش کنید."
NOTICE_UNCERTAIN = "⚠️ ارسال پست #{number} «{channel}» (موعد {when}) وسط کار قطع شد؛ معلوم نیست به کانال رسیده یا نه. کانال رو ببینید و اگه نرسیده بود /postnow {id} رو بزنید."
NOTICE_FAILED = "⚠️ پست #{number} «{channel}» (موعد {when}) منتشر نشد: {detail}"
NOTICE_REMOVED = "ℹ️ ربات دیگه ادمین کانال «{channel}» نیست (یا اجازهٔ ارسال نداره)؛ پست‌های زمان‌بندی‌شده‌اش منتشر نمی‌شن. نتیجه‌ها و آمارش سر جاشه و با برگردوندن ربات به کانال، کار از همون‌جا ادامه پیدا می‌کنه."
PRACTICE_IN_BOT = "🎯 تمرین با ربات"
NOTICE_RETRY = "🔁 الان بفرست (#{id})"
NOTICE_RESCHEDULE = "⏰ یک ساعت بعد"
NOTICE_SHORTAGE = "⚠️ برای زمان‌های ثابت «{channel}»، {kind} منتشرنشده‌ای برای {when} باقی نمونده. به بانک محتوا اضافه کنید."

# --- statistics export: sheet names and column headers (same order as the JSON keys) ---
EXPORT_VIEWS = {
    "channel_quizzes": (
        "کوییزهای کانال",
        {
            "publication_id": "شناسهٔ انتشار",
            "channel": "کانال",
            "quiz_number": "شمارهٔ کوییز",
            "quiz_id": "شناسهٔ کوییز",
            "question": "سوال",
            "sent_at": "زمان انتشار (UTC)",
            "sent_at_jalali": "زمان انتشار (تهران)",
            "voters": "تعداد رأی",
            "multiple": "چندپاسخی",
            "correct_options": "گزینه‌های درست",
            "share_correct": "سهم پاسخ درست",
        },
    ),
    "channel_options": (
        "گزینه‌ها",
        {
            "publication_id": "شناسهٔ انتشار",
            "quiz_number": "شمارهٔ کوییز",
            "option": "گزینه",
            "text": "متن گزینه",
            "correct": "درست",
            "votes": "رأی",
            "share": "سهم",
        },
    ),
    "learner_items": (
        "سوال‌ها (یادگیرنده‌ها)",
        {
            "quiz_id": "شناسهٔ کوییز",
            "topic": "موضوع",
            "question": "سوال",
            "answers": "پاسخ‌های نخست",
            "facility": "ضریب آسانی",
            "discrimination": "ضریب تمیز",
            "option": "گزینه",
            "correct": "درست",
            "share": "سهم انتخاب",
        },
    ),
    "topics": (
        "موضوع‌ها",
        {
            "topic": "موضوع",
            "title": "عنوان",
            "answers": "پاسخ‌ها",
            "accuracy": "دقت",
            "learners": "یادگیرنده‌ها",
        },
    ),
    "sessions": (
        "آزمون‌ها",
        {
            "size": "تعداد سوال",
            "correct": "پاسخ درست",
            "sessions": "تعداد آزمون",
            "cronbach_alpha": "آلفای کرونباخ",
        },
    ),
    "answers_per_day": (
        "پاسخ‌ها در روز",
        {"day": "روز (میلادی)", "day_jalali": "روز (شمسی)", "answers": "پاسخ‌ها"},
    ),
    "channel_votes": (
        "رأی‌ها در طول زمان",
        {
            "publication_id": "شناسهٔ انتشار",
            "quiz_number": "شمارهٔ کوییز",
            "taken_at": "زمان (UTC)",
            "taken_at_jalali": "زمان (تهران)",
            "voters": "تعداد رأی",
        },
    ),
}
# --- statistics charts (quizbot stats charts) ---
CHART_QUIZ_TITLE = "کوییز شماره {number}: {question}"
CHART_VOTERS = "({voters} رأی)"
CHART_VOTERS_ANSWER_UNKNOWN = "({voters} رأی؛ پاسخ درست نامعلوم)"
CHART_TOPIC_LABEL = "{title} ({learners} نفر)"
CHART_TOPIC_ACCURACY = "دقت پاسخ‌های نخست در هر موضوع"
CHART_DAY_AXIS = "روز (ماه/روز شمسی)"
CHART_ANSWERS_AXIS = "تعداد پاسخ"
CHART_PARTICIPATION = "مشارکت در طول زمان"
EXPORT_CAPTION = "📦 آمار «{scope}» در قالب {format}"
EXPORT_USAGE = "این‌طوری بنویسید: /export csv یا /export xlsx یا /export json"
# /export runs in the background: a progress message, edited as it goes.
EXPORT_PREPARING = "⏳ در حال آماده‌سازی آمار «{scope}» در قالب {format}…"
EXPORT_PROGRESS = (
    "⏳ در حال آماده‌سازی آمار «{scope}» در قالب {format}: {done} از {total} مرحله ({percent})"
)
EXPORT_DONE = "✅ آمار «{scope}» در قالب {format} آماده شد و فرستاده شد."
EXPORT_FAILED = "❌ آماده‌سازی آمار «{scope}» به خطا خورد. کمی بعد دوباره /export رو بفرستید؛ اگه باز هم نشد، به نگهدارندهٔ ربات خبر بدید."
EXPORT_INTERRUPTED = "⏹ ربات در حال خاموش شدن یا راه‌اندازی دوباره بود و آماده‌سازی آمار «{scope}» نیمه‌کاره ماند. چند دقیقهٔ دیگه دوباره /export رو بفرستید."
EXPORT_RUNNING = "⏳ یک خروجی آمار برای شما در حال آماده شدنه؛ تموم که شد فایلش می‌رسه. بعد از اون دوباره /export رو بفرستید."
YES_NO = {True: "بله", False: "خیر"}

# --- browsing and fixing the bank in chat: /needsreview, /bank (issue 11, item 2) ---
ADMIN_COMMAND_DESCRIPTIONS |= {
    "needsreview": "ادمین: کوییزهای واردشده‌ای که پاسخ درستشون نامعلومه",
    "bank": "ادمین: جست‌وجو و ویرایش بانک سوال‌ها",
}
ADMIN_HELP += (
    "\n/needsreview — کوییزهای واردشده‌ای که پاسخ درستشون نامعلومه، با دکمهٔ هر گزینه"
    "\n/bank — جست‌وجوی بانک با چند کلمه یا نام موضوع، دیدن، ویرایش و بازنشسته کردن"
)
BANK_REVIEW_EMPTY = "✅ همهٔ کوییزهای واردشده پاسخ درست دارن؛ چیزی منتظر بررسی نیست."
BANK_REVIEW_HEADER = "🔎 {total} کوییز واردشده پاسخ درست ندارن و تا مشخص نشه منتشر نمی‌شن. زیر هر کوییز گزینهٔ درست رو بزنید:"
BANK_REVIEW_MORE = (
    "بعد از این‌ها، /needsreview رو دوباره بزنید تا بقیه ({rest} کوییز دیگه) رو ببینید."
)
BANK_REVIEW_QUIZ = "❓{question}\n{options}"
BANK_REVIEW_OPTION = "{number}. {text}"
BANK_REVIEW_ANSWER_SET = (
    "✅ گزینهٔ درست ثبت شد: «{option}»\nاین کوییز از حالا در چرخهٔ انتشار و تمرینه:\n❓{question}"
)
BANK_ITEM_GONE = "این مورد دیگه در بانک نیست یا قبلاً رسیدگی شده."
BANK_USAGE = "این‌طوری بنویسید: /bank چند کلمه از سوال، یا /bank نام موضوع\nمثلاً: /bank سیگموید"
BANK_NOTHING = "چیزی با «{words}» در بانک پیدا نشد."
BANK_RESULTS = "🔎 {total} مورد برای «{words}»:"
BANK_RESULTS_MORE = (
    "🔎 {total} مورد برای «{words}»؛ {shown} تای اول (کلمه‌های بیشتری بنویسید تا دقیق‌تر بشه):"
)
BANK_HIT = "{kind}: {label}"
BANK_ITEM_HEADER = "{kind} · موضوع «{topic}»"
BANK_RIGHT_MARK = " ✅"
BANK_OPTION = "{number}. {text}{mark}"
BANK_EXPLANATION = "توضیح: {text}"
BANK_NEEDS_REVIEW = (
    "⚠️ پاسخ درست این کوییز ثبت نشده و تا ثبت نشه منتشر نمی‌شه: گزینهٔ درست رو از دکمه‌های زیر بزنید."
)
BANK_HIT_NEEDS_REVIEW = "⚠️ "
BANK_FROM_FILE = "📄 این مورد در فایل‌های content/ نوشته شده: اون‌جا ویرایش یا حذفش کنید و بعد quizbot content sync رو اجرا کنید."
BANK_EDIT_FIELD = "✏️ {field}"
BANK_RETIRE = "🗑 بازنشسته کردن"
BANK_FIELDS = {"q": "سوال", "e": "توضیح", "o": "گزینه‌ها", "a": "پاسخ", "t": "عنوان", "b": "متن"}
BANK_ASK_TEXT = "متن تازهٔ {field} رو بفرستید (یا /cancel).{hint}\nمتن فعلی:\n{current}"
BANK_FIELD_HINTS = {
    "o": "\nهر گزینه توی یک خط، به همون ترتیب و همون تعداد.",
    "a": "\nهر بند پاسخ توی یک خط.",
}
BANK_NO_CURRENT = "(خالی)"
BANK_BAD_TEXT = (
    "این {field} ذخیره نشد و متن قبلی سر جاشه:\n{problems}\nمتن دیگه‌ای بفرستید (یا /cancel)."
)
BANK_EDITED = "✅ {field} ذخیره شد:\n{text}"
BANK_EDIT_ENDED = "ویرایش لغو شد."
BANK_EDIT_ABORT = "❌ انصراف"
BANK_RETIRE_ASK = "بازنشسته بشه؟ دیگه منتشر یا تمرین داده نمی‌شه و از این‌جا برنمی‌گرده (آمارش سر جاش می‌مونه):\n«{label}»"
BANK_RETIRE_CONFIRM = "🗑 بله، بازنشسته کن"
BANK_RETIRED = "🗑 بازنشسته شد و دیگه منتشر یا تمرین داده نمی‌شه (آمارش سر جاشه):\n«{label}»"
# --- writing bank items in chat (issue 11, item 1: author in chat) ---
AUTHOR_PREVIEW_QUIZ = "📝 کوییز برای بانک\n\n{question}\n\n{options}"
AUTHOR_OPTION = "{mark} {number}. {text}"
AUTHOR_RIGHT_MARK = "✅"
AUTHOR_OTHER_MARK = "▫️"
AUTHOR_UNKNOWN_MARK = "▫️"
AUTHOR_EXPLANATION = "\n\n💬 توضیح: {text}"
AUTHOR_PREVIEW_INTERVIEW = "📝 سوال مصاحبه برای بانک\n\n{question}\n\n{bullets}"
AUTHOR_BULLET = "🔵 {text}"
AUTHOR_PREVIEW_LESSON = "📝 درس برای بانک\n\n{title}\n{body}\n{hashtags}"
AUTHOR_TOPIC_LINE = "\n\n🗂 موضوع: {title}"
AUTHOR_DIFFICULTY_LINE = "\n📶 سختی: {level}"
AUTHOR_ASK_ANSWER = "کدوم گزینه درسته؟ (تلگرام پاسخ درست این نظرسنجی رو به ربات نمی‌گه)"
AUTHOR_ANSWER_BUTTON = "گزینهٔ {number}"
AUTHOR_ASK_TOPIC = "موضوعش کدومه؟"
AUTHOR_ASK_DIFFICULTY = "چقدر سخته؟"
DIFFICULTY_TITLES = {1: "آسان", 2: "متوسط", 3: "سخت"}
AUTHOR_CANCEL = "✖️ انصراف"
AUTHOR_ABORTED = "باشه، چیزی ذخیره نشد."
AUTHOR_EXPIRED = "این پیش‌نویس دیگه معتبر نیست؛ نظرسنجی یا متن رو دوباره بفرستید."
AUTHOR_SAVED_QUIZ = (
    "✅ کوییز با شناسهٔ {id} در بانک ذخیره شد.\n"
    "زمان‌بندی: /schedule quiz {id} · همین حالا: /postnow quiz {id}"
)
AUTHOR_SAVED_INTERVIEW = (
    "✅ سوال مصاحبه با شناسهٔ {id} در بانک ذخیره شد.\n"
    "زمان‌بندی: /schedule interview {id} · همین حالا: /postnow interview {id}"
)
AUTHOR_SAVED_LESSON = (
    "✅ درس با شناسهٔ {id} در بانک ذخیره شد.\n"
    "زمان‌بندی: /schedule lesson {id} · همین حالا: /postnow lesson {id}"
)
AUTHOR_INVALID = "❌ با قاعده‌های بانک جور نیست و ذخیره نشد:\n{problems}"
AUTHOR_PROBLEM = "• {field}: {message}"
AUTHOR_FIELDS = {
    "question": "سوال",
    "options": "گزینه‌ها",
    "option": "گزینهٔ {number}",
    "correct": "پاسخ درست",
    "explanation": "توضیح",
    "answer": "پاسخ",
    "answer_bullet": "بند {number} پاسخ",
    "title": "عنوان",
    "body": "متن",
    "hashtags": "هشتگ‌ها",
    "topic": "موضوع",
    "difficulty": "سختی",
    "item": "مورد",
}
AUTHOR_PROBLEMS = {
    "too_long": "{length} نویسه است؛ تلگرام حداکثر {limit} نویسه می‌پذیرد",
    "repeats": "گزینهٔ {option} همان گزینهٔ {other} است",
    "line_feeds": "بیش از {limit} شکست خط دارد (سقف تلگرام)",
    "empty": "خالی است",
    "too_few": "دست‌کم {count} تا لازم است",
    "too_many": "حداکثر {count} تا مجاز است",
    "post_too_long": "پست {length} نویسه می‌شود؛ باید کمتر از {limit} باشد تا هشتگ‌ها و امضا در یک پیام جا شوند",
    "near_duplicate": "تقریباً همان سوالِ {id} است که در بانک هست",
    "all_correct": "همهٔ گزینه‌ها درست‌اند، پس کوییز چیزی نمی‌پرسد",
    "option_count": "باید همان {count} گزینه بماند، هر کدام در یک خط (پاسخ درست و رأی‌ها به جای گزینه‌ها بسته‌اند)",
    "other": "{message}",
}

# --- timed tests, shared tests, review reminders ---
TEST_CHOOSE_TIMER = "📝 آزمون {size} سوالی {scope}: با زمان‌سنج یا بدون زمان؟"
TEST_TIMER_BUTTON = "⏱ با زمان‌سنج {seconds} ثانیه"
TEST_UNTIMED_BUTTON = "بدون زمان"
TEST_TIMER_NOTE = " (⏱ {seconds} ثانیه برای هر سوال)"
TEST_SHARED_START = (
    "📝 آزمونی که برات فرستادن: {size} سوال، همون سوال‌ها به همون ترتیب{timer}. موفق باشی!"
)
SCORE_UNANSWERED = " · بی‌پاسخ (وقتش تموم شد): {count}"
SCORE_SHARE = "🔗 همین سوال‌ها برای یک دوست (فقط نمره‌ها مقایسه می‌شن، نه اسم‌ها):\n{link}"
SHARE_BUTTON = "🔗 فرستادن برای دوست"
SHARE_TEXT = "این آزمون کوییزبات رو بده و ببین نمره‌ات با من چطوره!"
SHARE_RESULTS_BUTTON = "📊 مقایسه"
STANDING_AS_TAKER = "شما {you} از {size} — کسی که لینک رو فرستاده {sender} از {size}"
STANDING_AS_SENDER = "نمرهٔ خودت: {you} از {size}"
STANDING_OTHERS = (
    "{count} نفر دیگه هم این آزمون رو دادن؛ میانهٔ نمره‌ها: {median} از {size}، بهترین: {best}"
)
STANDING_NO_OTHERS = "هنوز کس دیگه‌ای با این لینک آزمون نداده."
SHARED_RESULTS = "📊 نتیجهٔ این آزمون مشترک\n\n{standing}"
TEST_LINK_UNKNOWN = (
    "این لینک آزمون معتبر نیست یا فرستنده‌اش پاکش کرده. با /test یک آزمون تازه شروع کن."
)
TEST_LINK_STALE = "بعضی از سوال‌های این آزمون دیگه در بانک نیستن، پس نمی‌شه همون آزمون رو داد. با /test یک آزمون تازه شروع کن."

REMIND_PANEL_ON = (
    "⏰ یادآور مرور: روشن، هر روز ساعت {hour} به وقت تهران (فقط وقتی مروری آماده باشه)."
)
REMIND_PANEL_OFF = "⏰ یادآور مرور خاموشه. ساعتی رو انتخاب کن (به وقت تهران) تا هر روز همون موقع، اگه مروری آماده بود، خبرت کنم:"
REMIND_CHANGE = "برای تغییر، ساعت دیگه‌ای رو بزن:"
REMIND_HOUR_BUTTON = "{mark}{hour}"
REMIND_CURRENT_MARK = "✅ "
REMIND_OFF_BUTTON = "🔕 خاموش"
REMIND_SET = "✅ هر روز ساعت {hour} به وقت تهران، اگه مروری آماده باشه، یادت می‌ندازم."
REMIND_OFF = "🔕 یادآور مرور خاموش شد."
REMIND_WAS_OFF = "یادآور مرور روشن نبود."
REMIND_BAD_HOUR = "«{text}» رو به‌عنوان ساعت نفهمیدم؛ یک ساعت کامل بنویس، مثلاً /remind ۲۱ یا /remind ۹ شب، یا /remind خاموش."
REMIND_MESSAGE = "🔔 وقت مروره! {count} سوال برای مرور آماده داری."
REMIND_START_BUTTON = "🔁 شروع مرور"
# Typed without the slash, these open /remind too.
REMIND_WORDS = ("یادآور", "یادآوری")

# --- quiz games in groups (issue: group games) ---
GROUP_HELP = (
    "سلام! 👋 من کوییزبات هستم و اینجا می‌تونیم با هم مسابقه بدیم.\n\n"
    "/game — یک بازی چندسوالی (مثلاً /game cnn 5)\n"
    "/quiz — یک سوال زمان‌دار (مثلاً /quiz cnn)\n"
    "/gamesettings — تنظیمات بازی (زمان هر سوال، تعداد سوال‌ها، موضوع؛ فقط ادمین‌ها)\n\n"
    "هر سوال یک کوییز تلگرامیه با زمان محدود؛ آخر بازی رتبه‌بندی می‌آد: اول تعداد جواب درست، "
    "بعد سرعت. جواب‌ها بدون نام و شناسه ذخیره می‌شن و در /me خصوصی هر کس هم حساب می‌شن.\n"
    "تمرین خصوصی، آزمون و مرور: در گفتگوی خصوصی با من."
)
GAMES_ARE_FOR_GROUPS = (
    "بازی گروهیه 🎮 من رو به یک گروه اضافه کنید و اونجا /game رو بزنید. "
    "اینجا می‌تونی با /quiz و /test تمرین کنی."
)
GAME_STARTED = (
    "🎮 بازی {size} سوالی {scope} شروع شد!\n"
    "⏱ هر سوال {timer} ثانیه وقت داره؛ جواب بعد از وقت حساب نمی‌شه.\n"
    "🏆 رتبه‌بندی: اول تعداد جواب درست، بعد زمان کل (سوال بی‌جواب = کل زمانش).\n"
    "سوال اول چند ثانیهٔ دیگه…"
)
QUIZ_STARTED = "🎯 یک سوال {scope}، {timer} ثانیه وقت دارید. بعدش می‌گم کی درست و سریع‌تر جواب داد."
GAME_NOT_ENOUGH = "برای {scope} فقط {count} کوییز دارم؛ بازی با همین تعداد برگزار می‌شه."
GAME_RUNNING = "یک بازی در جریانه (سوال {asked} از {size})؛ بعد از تموم شدنش بازی تازه شروع کنید."
BAD_GAME_SIZE = "تعداد سوال‌های بازی باید بین {low} و {high} باشه؛ مثلاً /game cnn 10"
GROUP_UNKNOWN_TOPIC = "موضوع «{topic}» رو پیدا نکردم. موضوع‌ها:\n{topics}\nمثلاً: /game {example}"
GROUP_TOPIC_LINE = "• {title} ({id})"
LEADERBOARD_TITLE = "🏁 پایان بازی! {size} سوال"
LEADERBOARD_QUIZ_TITLE = "🏁 نتیجهٔ کوییز"
LEADERBOARD_CUT_SHORT = (
    "⏹ بازی نیمه‌کاره تموم شد: ربات مدتی در دسترس نبود. امتیازها تا سوال {asked} از {size}:"
)
# The right-to-left mark keeps each line right-to-left even when a name is Latin.
LEADERBOARD_LINE = "\u200f{rank} {name}: {correct} درست · {seconds} ثانیه"
LEADERBOARD_MEDALS = ("🥇", "🥈", "🥉")
LEADERBOARD_RANK = "{number}."
LEADERBOARD_MORE = "… و {count} بازیکن دیگه"
LEADERBOARD_EMPTY = "کسی جواب نداد 😴 دفعهٔ بعد!"
LEADERBOARD_FOOTER = "بازی تازه: /game · یک سوال: /quiz"
# A player whose first name the bot no longer holds (it restarted during the game).
GAME_PLAYER = "بازیکن {number}"
GAME_SETTINGS = (
    "⚙️ تنظیمات بازی این گروه\n\n"
    "⏱ زمان هر سوال: {timer} ثانیه\n"
    "🔢 تعداد سوال‌های هر بازی: {questions}\n"
    "📚 موضوع پیش‌فرض: {topic}"
)
GAME_SETTINGS_ADMIN = (
    "\n\nبا دکمه‌ها عوض کنید، یا بنویسید:\n"
    "/gamesettings زمان ۴۵ · /gamesettings تعداد ۱۰ · /gamesettings موضوع cnn"
)
GAME_SETTINGS_READ_ONLY = "\n\nفقط ادمین‌های گروه می‌تونن این‌ها رو عوض کنن."
GAME_SETTINGS_SAVED = "✅ ذخیره شد؛ از بازی بعدی اعمال می‌شه.\n\n"
GAME_ALL_TOPICS = "همهٔ موضوع‌ها"
GAME_TIMER_BUTTON = "⏱ {seconds}ث"
GAME_SIZE_BUTTON = "🔢 {count}"
GAME_TOPIC_BUTTON = "📚 {title}"
GAME_CHOSEN_MARK = "✅ "
NOT_GROUP_ADMIN = "⛔️ فقط ادمین‌های گروه می‌تونن تنظیمات بازی رو عوض کنن؛ چیزی تغییر نکرد."
GAME_SETTING_PROBLEMS = {
    "timer": "زمان هر سوال باید بین {timer_low} و {timer_high} ثانیه باشه.",
    "questions": "تعداد سوال‌ها باید بین {size_low} و {size_high} باشه.",
    "topic": "این موضوع رو پیدا نکردم؛ /gamesettings رو بزنید و از دکمه‌ها انتخاب کنید.",
    "usage": (
        "این‌طوری بنویسید: /gamesettings زمان ۴۵ یا /gamesettings تعداد ۱۰ "
        "یا /gamesettings موضوع cnn (یا «موضوع همه»)"
    ),
}
# Persian words that stand for the group commands, as a whole message (e.g. «بازی cnn ۵»).
GROUP_ALIASES = {"بازی": "game", "کوییز": "quiz", "تنظیمات بازی": "gamesettings"}
# The command menus in groups: for everyone, and for the groups' admins.
GROUP_COMMAND_DESCRIPTIONS = {
    "game": "بازی چندسوالی با رتبه‌بندی",
    "quiz": "یک سوال زمان‌دار",
    "help": "راهنمای بازی گروهی",
}
GROUP_ADMIN_COMMAND_DESCRIPTIONS = {"gamesettings": "تنظیمات بازی (ادمین‌ها)"}
