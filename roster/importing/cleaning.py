"""Turn what school files contain into clean values.

Each ``clean_*`` function takes the text of one cell (already stripped, with
runs of spaces collapsed) and returns the value to store, or raises
CellError with a message for the admin."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.phone import normalize_phone
from roster.models import Gender


class CellError(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


# Cells that mean "nothing here" in school files.
BLANKS = {"-", "--", "—", "–", "_"}


def cell_text(value) -> str:
    """The text of a cell, from CSV (str) or XLSX (str, number, date)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, datetime.datetime):
        text = value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat(sep=" ")
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        # Excel stores every number as a float: 123456789.0 is the NISN 123456789.
        text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    else:
        text = str(value)
    text = " ".join(text.split())
    return "" if text in BLANKS else text


_SCIENTIFIC = re.compile(r"^(\d+)(?:[.,](\d+))?[eE]\+?(\d+)$")


def _digits_from_number(value: str) -> str:
    """'123456789.0' → '123456789'; '1.23456789E+09' → '1234567890'."""
    match = _SCIENTIFIC.match(value)
    if match:
        significant = (match.group(1) + (match.group(2) or "")).lstrip("0")
        if len(significant) < 8:
            # Excel rounded the number for display (1.23457E+08): digits are lost.
            raise CellError(
                _(
                    "The NISN was shortened by Excel (%(value)s). Format the NISN column as Text "
                    "and save the file again."
                )
                % {"value": value}
            )
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            return value
        if number != number.to_integral_value():
            return value
        return str(int(number))
    if re.fullmatch(r"\d+[.,]0+", value):
        return re.split(r"[.,]", value)[0]
    return value


def clean_nisn(value: str) -> str:
    value = value.lstrip("'").replace(" ", "")
    if not value:
        raise CellError(_("The NISN is missing."))
    value = _digits_from_number(value)
    if not re.fullmatch(r"[0-9]+", value):
        raise CellError(_("The NISN must contain only digits (found “%(value)s”).") % {"value": value})
    if len(value) in (8, 9):
        # A spreadsheet read the NISN as a number and dropped its leading zeros.
        value = value.zfill(10)
    if len(value) != 10:
        raise CellError(_("The NISN must have 10 digits (found %(count)d).") % {"count": len(value)})
    return value


def clean_nis(value: str) -> str:
    value = value.lstrip("'")
    if re.fullmatch(r"\d+[.,]0+", value):
        value = re.split(r"[.,]", value)[0]
    if len(value) > 20:
        raise CellError(_("The NIS is too long (at most 20 characters)."))
    return value


def clean_text(value: str, *, max_length: int, required_message: str | None = None) -> str:
    if not value and required_message:
        raise CellError(required_message)
    if len(value) > max_length:
        raise CellError(_("This is too long (at most %(max)d characters).") % {"max": max_length})
    return value


_GENDERS = {
    "l": Gender.MALE,
    "lk": Gender.MALE,
    "lakilaki": Gender.MALE,
    "laki": Gender.MALE,
    "pria": Gender.MALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "p": Gender.FEMALE,
    "pr": Gender.FEMALE,
    "perempuan": Gender.FEMALE,
    "wanita": Gender.FEMALE,
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
}


def clean_gender(value: str) -> str:
    if not value:
        raise CellError(_("The gender is missing: use L or P."))
    key = re.sub(r"[\s\-./]", "", value.casefold())
    if key not in _GENDERS:
        raise CellError(_("Unknown gender “%(value)s”: use L or P.") % {"value": value})
    return _GENDERS[key]


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")


def clean_date(value: str, *, today: datetime.date | None = None) -> datetime.date | None:
    """dd/mm/yyyy (also with - or .), yyyy-mm-dd, or an Excel date cell."""
    if not value:
        return None
    text = re.split(r"[ T]", value, maxsplit=1)[0]  # "2013-05-01 00:00:00"
    if match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _YMD.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise CellError(_("“%(value)s” is not a date: use dd/mm/yyyy, for example 17/08/2013.") % {"value": value})
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise CellError(_("“%(value)s” is not a valid date (dd/mm/yyyy).") % {"value": value}) from None
    if date > (today or datetime.date.today()):
        raise CellError(_("The birth date cannot be in the future."))
    if date.year < 1900:
        raise CellError(_("“%(value)s” is not a valid date (dd/mm/yyyy).") % {"value": value})
    return date


def clean_phone(value: str) -> str:
    try:
        return normalize_phone(value.lstrip("'"))
    except ValidationError as error:
        raise CellError(" ".join(error.messages)) from None


def clean_email(value: str) -> str:
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise CellError(_("“%(value)s” is not a valid email address.") % {"value": value}) from None
    if len(value) > 254:
        raise CellError(_("This is too long (at most %(max)d characters).") % {"max": 254})
    return value


_username_validator = UnicodeUsernameValidator()


def clean_username(value: str, *, missing_message: str) -> str:
    if not value:
        raise CellError(missing_message)
    if len(value) > 150:
        raise CellError(_("This is too long (at most %(max)d characters).") % {"max": 150})
    try:
        _username_validator(value)
    except ValidationError:
        raise CellError(
            _("“%(value)s” is not a valid username: use letters, digits and @ . + - _ only, without spaces.")
            % {"value": value}
        ) from None
    return value


_ROLES = {
    "teacher": Role.TEACHER,
    "guru": Role.TEACHER,
    "guru mapel": Role.TEACHER,
    "guru mata pelajaran": Role.TEACHER,
    "subject teacher": Role.TEACHER,
    "counselor": Role.COUNSELOR,
    "counsellor": Role.COUNSELOR,
    "konselor": Role.COUNSELOR,
    "guru bk": Role.COUNSELOR,
    "bk": Role.COUNSELOR,
    "guru bimbingan konseling": Role.COUNSELOR,
    "vice principal": Role.VICE_PRINCIPAL,
    "wakasek": Role.VICE_PRINCIPAL,
    "wakasek kesiswaan": Role.VICE_PRINCIPAL,
    "waka kesiswaan": Role.VICE_PRINCIPAL,
    "wakil kepala sekolah": Role.VICE_PRINCIPAL,
    "wakil kepala sekolah bidang kesiswaan": Role.VICE_PRINCIPAL,
    "school admin": Role.SCHOOL_ADMIN,
    "admin": Role.SCHOOL_ADMIN,
    "admin sekolah": Role.SCHOOL_ADMIN,
    "operator": Role.SCHOOL_ADMIN,
    "operator sekolah": Role.SCHOOL_ADMIN,
}


def clean_roles(value: str) -> list[str]:
    """'guru, wakasek' → ['teacher', 'vice_principal'] (in the order of Role)."""
    roles = set()
    for part in re.split(r"[,;/|+]", value):
        key = " ".join(part.replace("_", " ").replace("-", " ").casefold().split())
        if not key:
            continue
        if key not in _ROLES:
            raise CellError(
                _("Unknown role “%(value)s”: use teacher, counselor, vice_principal or school_admin.")
                % {"value": part.strip()}
            )
        roles.add(_ROLES[key])
    if not roles:
        raise CellError(_("Give at least one role: teacher, counselor, vice_principal or school_admin."))
    return [role.value for role in Role if role in roles]


_GRADES = {"7": 7, "07": 7, "vii": 7, "8": 8, "08": 8, "viii": 8, "9": 9, "09": 9, "ix": 9}


def clean_grade(value: str) -> int | None:
    if not value:
        return None
    key = re.sub(r"^(kelas|grade|tingkat)\s*", "", value.casefold()).strip()
    if key not in _GRADES:
        raise CellError(_("Unknown grade “%(value)s”: use 7, 8 or 9 (or VII, VIII, IX).") % {"value": value})
    return _GRADES[key]


def name_key(name: str) -> str:
    """How names of classes and subjects are compared: case and spacing do not matter."""
    return " ".join(name.casefold().split())


def loose_key(name: str) -> str:
    """'VII A', 'vii-a' and 'VII.A' are the same class when nothing else is close."""
    return re.sub(r"[\s\-./_]", "", name.casefold())


# Timetables ---------------------------------------------------------------

_DAYS = {
    "senin": 0,
    "monday": 0,
    "mon": 0,
    "sen": 0,
    "selasa": 1,
    "tuesday": 1,
    "tue": 1,
    "sel": 1,
    "rabu": 2,
    "wednesday": 2,
    "wed": 2,
    "rab": 2,
    "kamis": 3,
    "thursday": 3,
    "thu": 3,
    "kam": 3,
    "jumat": 4,
    "friday": 4,
    "fri": 4,
    "jum": 4,
    "sabtu": 5,
    "saturday": 5,
    "sat": 5,
    "sab": 5,
}


def clean_day(value: str) -> int:
    """A day of the week (Senin … Sabtu, Monday … Saturday, or 1 … 6) as
    date.weekday(): Monday is 0."""
    key = re.sub(r"[^a-z0-9]", "", value.casefold())
    if not key:
        raise CellError(_("The day is missing."))
    if key.isdigit() and 1 <= int(key) <= 6:
        return int(key) - 1
    if key in _DAYS:
        return _DAYS[key]
    raise CellError(
        _("“%(value)s” is not a school day: write Senin … Sabtu (or Monday … Saturday).") % {"value": value}
    )


def clean_period(value: str) -> int:
    """A period number ("3", "Jam ke-3", "3.0")."""
    digits = re.sub(r"^\D*?(\d+)(?:[.,]0+)?\D*$", r"\1", value)
    if not value:
        raise CellError(_("The period is missing."))
    if not digits.isdigit() or not 1 <= int(digits) <= 20:
        raise CellError(_("“%(value)s” is not a period number (1 to 20).") % {"value": value})
    return int(digits)


def clean_time(value: str) -> datetime.time:
    """A time of day: 07:00, 7.00, 07:00:00, or Excel's fraction of a day."""
    if not value:
        raise CellError(_("The time is missing."))
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?:[:.]\d{2})?", value)
    try:
        if match:
            return datetime.time(int(match.group(1)), int(match.group(2)))
        fraction = float(value.replace(",", "."))
        if 0 <= fraction < 1:
            minutes = round(fraction * 24 * 60)
            return datetime.time(minutes // 60, minutes % 60)
    except ValueError:
        pass
    raise CellError(_("“%(value)s” is not a time: write it as 07:00.") % {"value": value})


_GRID_CELL = re.compile(r"^(?P<subject>.+?)\s*(?:/\s*(?P<a>[^/()]+)|\((?P<b>[^()]+)\))$")


def split_grid_cell(value: str) -> tuple[str, str]:
    """A timetable grid's cell, "Matematika / sri" or "Matematika (sri)", as
    (subject, teacher's username)."""
    match = _GRID_CELL.match(value)
    if not match:
        raise CellError(
            _("Write the subject and the teacher's username, as “Matematika / sri”, not “%(value)s”.")
            % {"value": value}
        )
    return match.group("subject").strip(), (match.group("a") or match.group("b")).strip()
