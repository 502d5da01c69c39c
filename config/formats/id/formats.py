# Dates and times as Indonesian readers write them: "28 November 2026, 14.30".
# Only what differs from Django's Indonesian formats; the rest comes from there.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H.i"
TIME_FORMAT = "H.i"
