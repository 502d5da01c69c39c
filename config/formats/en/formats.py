# English for a school in Indonesia: day before month, 24-hour clock
# ("28 November 2026, 14:30", "28/11/2026"), not Django's US defaults.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
