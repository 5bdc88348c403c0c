"""The values of XLSForm expressions and their conversions, as JavaRosa (ODK Collect) has them.

An expression computes with four kinds of value: text (``str``), numbers (``float``), booleans
and dates (:class:`XDate`, JavaRosa's ``java.util.Date``); a reference to questions gives a
:class:`NodeSet`, which every operator and most functions *unpack* to its single value (empty
for no node; more than one node is an error, as in Collect).  The conversions below follow
``XPathFuncExpr.toNumeric/toString/toBoolean/toDate`` and ``DateUtils`` line by line; the
module is the reference for ``docs/expressions.md``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import _, ngettext

DAY_SECONDS = 86400.0
_EPOCH = datetime(1970, 1, 1)
#: Java's ``Long.MAX_VALUE`` as a double (``toInt`` leaves larger numbers alone).
_LONG_LIMIT = 9.223372036854776e18
_INT_MAX = 2**31 - 1
_INT_MIN = -(2**31)


class EvaluationError(NeascnError):
    """A value that cannot be converted or a function that cannot compute (JavaRosa's
    ``XPathTypeMismatchException``); the evaluator reports it as an expression error."""


@dataclass(frozen=True)
class XDate:
    """A date or moment on the local wall clock (JavaRosa holds a ``java.util.Date``).

    ``has_time`` is False for dates (``date()``, ``today()``, a date question): those are
    local midnight and are stored back as ``YYYY-MM-DD``; moments as ISO 8601 with time.
    """

    moment: datetime
    has_time: bool = False

    def iso(self) -> str:
        """As a calculation stores it (JavaRosa's DateData / DateTimeData)."""
        if not self.has_time:
            return self.moment.date().isoformat()
        aware = local_aware(self.moment)
        text = aware.isoformat(timespec="milliseconds")
        return text


@dataclass(frozen=True)
class NodeSet:
    """The nodes a reference selects, in document order.

    ``values`` are the nodes' values; ``positions`` their 1-based position among their siblings
    of the same name (``position(..)`` inside a repeat), ``keys`` what each node is (a question
    key, or a repeat's path for repeat instances)."""

    values: tuple[Value, ...]
    positions: tuple[int, ...] = ()
    keys: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.values)


Value = str | float | bool | XDate | NodeSet
Scalar = str | float | bool | XDate


def unpack(value: Value) -> Scalar:
    """A node set as one value: '' when empty, an error for more than one node."""
    if isinstance(value, NodeSet):
        if not value.values:
            return ""
        if len(value.values) > 1:
            count = len(value.values)
            raise EvaluationError(ngettext(
                "the reference selects {count} repeated answer where one value is needed (use "
                "sum(), count(), join() or indexed-repeat())",
                "the reference selects {count} repeated answers where one value is needed (use "
                "sum(), count(), join() or indexed-repeat())", count).format(count=count))
        inner = value.values[0]
        return unpack(inner) if isinstance(inner, NodeSet) else inner
    return value


def items(value: Value) -> list[Scalar]:
    """The values of a node set (a single value as a list of one)."""
    if isinstance(value, NodeSet):
        return [unpack(v) if isinstance(v, NodeSet) else v for v in value.values]
    return [value]


# --------------------------------------------------------------------------- conversions

_NUMBER_CHARS = frozenset("-.0123456789")


def to_number(value: Value) -> float:
    """XPath ``number()``: JavaRosa's ``toNumeric`` (',' read as '.', no exponents, no 'NaN')."""
    value = unpack(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, XDate):
        return float(days_since_epoch(value))
    text = value.replace(",", ".").strip(_JAVA_SPACE)
    if not text or not _NUMBER_CHARS.issuperset(text):
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def to_double(value: Value) -> float:
    """``toDouble``: numbers, but a date counts fractional days (for the math functions)."""
    value = unpack(value)
    if isinstance(value, XDate):
        return (value.moment - _EPOCH).total_seconds() / DAY_SECONDS
    return to_number(value)


def to_boolean(value: Value) -> bool:
    value = unpack(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return abs(value) > 1.0e-12 and not math.isnan(value)
    if isinstance(value, XDate):
        return True
    return value != ""


def to_int(value: Value) -> float:
    number = to_number(value)
    if math.isnan(number) or math.isinf(number) or abs(number) >= _LONG_LIMIT:
        return number
    result = float(math.trunc(number))
    if result == 0 and (number < 0 or math.copysign(1.0, number) < 0):
        return -0.0
    return result


def java_double_text(number: float) -> str:
    """Java's ``Double.toString`` (plain between 10^-3 and 10^7, else ``1.23E21``)."""
    if number == 0:
        return "-0.0" if math.copysign(1.0, number) < 0 else "0.0"
    digits = repr(abs(number))
    sign = "-" if number < 0 else ""
    exact = Decimal(digits)
    if 1e-3 <= abs(number) < 1e7:
        text = format(exact, "f")
        return sign + (text if "." in text else text + ".0")
    mantissa, _e, exponent = format(exact, "E").partition("E")
    mantissa = mantissa.rstrip("0")
    if mantissa.endswith("."):
        mantissa += "0"
    if "." not in mantissa:
        mantissa += ".0"
    return f"{sign}{mantissa}E{int(exponent)}"


def to_string(value: Value) -> str:
    """XPath ``string()``: JavaRosa's ``toString`` (whole numbers without '.0', dates as YYYY-MM-DD)."""
    value = unpack(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if abs(number) < 1.0e-12:
            return "0"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        truncated = _java_int(number)
        if abs(number - truncated) < 1.0e-12:
            return str(truncated)
        return java_double_text(number)
    if isinstance(value, XDate):
        return value.moment.date().isoformat()
    return value


def _java_int(number: float) -> int:
    """Java's ``(int) d``: truncation, saturating at the int range."""
    if number >= _INT_MAX:
        return _INT_MAX
    if number <= _INT_MIN:
        return _INT_MIN
    return math.trunc(number)


def is_null(value: Value) -> bool:
    """Empty text or NaN (what ``coalesce`` skips)."""
    value = unpack(value)
    return (isinstance(value, str) and value == "") or (
        isinstance(value, float) and math.isnan(value))


# --------------------------------------------------------------------------- dates

_JAVA_SPACE = "".join(chr(c) for c in range(33))


def local_aware(moment: datetime) -> datetime:
    """A wall-clock moment in the computer's time zone (Collect uses the device's)."""
    return moment.astimezone() if moment.tzinfo is None else moment


def days_since_epoch(value: XDate) -> int:
    """``DateUtils.daysSinceEpoch``: whole local days since 1970-01-01."""
    return (value.moment.date() - date(1970, 1, 1)).days


def midnight(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day)


def _parse_int(text: str) -> int:
    """Java's ``Integer.parseInt``: optional sign and ASCII digits only."""
    body = text[1:] if text[:1] in "+-" else text
    if not body or not body.isascii() or not body.isdigit():
        raise ValueError(text)
    return int(text)


def _parse_date_part(text: str) -> tuple[int, int, int] | None:
    pieces = text.split("-")
    if len(pieces) != 3:
        return None
    try:
        year, month, day = (_parse_int(p) for p in pieces)
        date(year, month, day)
    except ValueError:
        return None
    return year, month, day


def _parse_time_part(text: str) -> tuple[int, int, int, int, timedelta | None] | None:
    if not text:
        return None
    offset: timedelta | None = None
    if text.endswith("Z"):
        text, offset = text[:-1], timedelta(0)
    elif "+" in text or "-" in text:
        sign = 1 if "+" in text else -1
        text, _sep, zone = text.partition("+" if sign == 1 else "-")
        hours, _colon, minutes = zone.partition(":")
        try:
            offset = sign * timedelta(hours=_parse_int(hours),
                                      minutes=_parse_int(minutes) if minutes else 0)
        except ValueError:
            return None
    pieces = text.split(":")
    if len(pieces) not in (2, 3):
        return None
    try:
        hour, minute = _parse_int(pieces[0]), _parse_int(pieces[1])
        second = millis = 0
        if len(pieces) == 3:
            raw = re.match(r"[0-9.]*", pieces[2])
            seconds = float(raw.group()) if raw and raw.group() not in ("", ".") else 0.0
            second = int(seconds)
            millis = int(1000.0 * seconds - 1000.0 * second)
    except ValueError:
        return None
    if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60):
        return None
    return hour, minute, second, millis, offset


def parse_date_time(text: str, base: date | None = None) -> XDate | None:
    """``DateUtils.parseDateTime`` (``YYYY-MM-DD[THH:MM[:SS[.fff]][Z|±HH[:MM]]]``); with
    ``base``, a time of day alone (``parseTime``) on that date.  None when it is not one."""
    if base is not None:
        day: tuple[int, int, int] | None = (base.year, base.month, base.day)
        time_text: str | None = text
    else:
        date_text, sep, time_text = text.partition("T")
        day = _parse_date_part(date_text)
        if not sep:
            time_text = None
    if day is None:
        return None
    if time_text is None:
        return XDate(datetime(*day))
    parsed = _parse_time_part(time_text)
    if parsed is None:
        return None
    hour, minute, second, millis, offset = parsed
    try:
        moment = datetime(*day, hour, minute, second, millis * 1000)
    except ValueError:
        return None
    if offset is not None:
        try:
            moment = moment.replace(tzinfo=timezone(offset)).astimezone().replace(tzinfo=None)
        except (ValueError, OverflowError):
            return None
    return XDate(moment, has_time=True)


def from_epoch_days(days: float) -> XDate:
    """A moment ``days`` after 1970-01-01T00:00Z, on the local clock (``new Date(millis)``)."""
    try:
        instant = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(
            milliseconds=math.trunc(days * DAY_SECONDS * 1000))
        return XDate(instant.astimezone().replace(tzinfo=None), has_time=True)
    except (OverflowError, ValueError):
        raise EvaluationError(_("the value {value} is out of range for a date").format(
            value=to_string(days))) from None


def to_date(value: Value, keep_time: bool) -> Scalar:
    """``toDate``: numbers are days since 1970, text is parsed; '' and NaN pass through."""
    value = unpack(value)
    if isinstance(value, bool):
        raise EvaluationError(_("the value “{value}” cannot be converted to a date").format(
            value=to_string(value)))
    if isinstance(value, float | int):
        number = float(value) if keep_time else to_int(float(value))
        if math.isnan(number):
            return number
        if math.isinf(number) or not _INT_MIN <= number <= _INT_MAX:
            raise EvaluationError(_("the value {value} is out of range for a date").format(
                value=to_string(number)))
        if keep_time:
            return from_epoch_days(number)
        try:
            return XDate(_EPOCH + timedelta(days=int(number)))
        except OverflowError:
            raise EvaluationError(_("the value {value} is out of range for a date").format(
                value=to_string(number))) from None
    if isinstance(value, XDate):
        return value if keep_time else XDate(midnight(value.moment))
    if value == "":
        return value
    parsed = parse_date_time(value)
    if parsed is None:
        raise EvaluationError(_("the value “{value}” cannot be converted to a date").format(
            value=value))
    return parsed


def decimal_date_time(value: Value, keep_date: bool) -> Scalar:
    """``decimal-date-time()`` (days since 1970-01-01T00:00Z) and ``decimal-time()`` (fraction of
    the local day)."""
    value = unpack(value)
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = float(value)
        if math.isnan(number):
            return number
        if math.isinf(number) or not _INT_MIN <= number <= _INT_MAX:
            raise EvaluationError(_("the value {value} is out of range for a date").format(
                value=to_string(number)))
        return number if keep_date else number - math.floor(number)
    if isinstance(value, str):
        if value == "":
            return value
        parsed = parse_date_time(value)
        if parsed is None:
            raise EvaluationError(_("the value “{value}” cannot be converted to a date").format(
                value=value))
        value = parsed
    if isinstance(value, XDate):
        if keep_date:
            return local_aware(value.moment).timestamp() / DAY_SECONDS
        m = value.moment
        return (m.hour * 3600 + m.minute * 60 + m.second + m.microsecond / 1e6) / DAY_SECONDS
    raise EvaluationError(_("the value “{value}” cannot be converted to a date").format(
        value=to_string(value)))


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _week_of_year(day: date) -> int:
    """``Calendar.WEEK_OF_YEAR`` in Java's default (US) rules: weeks start on Sunday, the week
    holding 1 January is week 1."""
    jan1 = date(day.year, 1, 1)
    offset = (jan1.weekday() + 1) % 7  # days from the Sunday starting week 1
    week = (day.timetuple().tm_yday - 1 + offset) // 7 + 1
    next_jan1 = date(day.year + 1, 1, 1)
    if week > 52 and (next_jan1 - day).days <= (next_jan1.weekday() + 1) % 7:
        return 1
    return week


def format_date(value: Value, pattern: Value) -> str:
    """``format-date(value, '%Y-%m-%d')`` with JavaRosa's escapes (Y y m n b d e H h M S 3 a W)."""
    parsed = to_date(value, True)
    if not isinstance(parsed, XDate):
        return ""
    m = parsed.moment
    fmt = to_string(pattern)
    out: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        i += 1
        if i >= len(fmt):
            raise EvaluationError(_("the date format ends with “%”"))
        code = fmt[i]
        i += 1
        table = {
            "%": "%", "Y": f"{m.year:04d}", "y": f"{m.year:04d}"[2:], "m": f"{m.month:02d}",
            "n": str(m.month), "b": _MONTHS[m.month - 1], "d": f"{m.day:02d}", "e": str(m.day),
            "H": f"{m.hour:02d}", "h": str(m.hour), "M": f"{m.minute:02d}",
            "S": f"{m.second:02d}", "3": f"{m.microsecond // 1000:03d}",
            "a": _DAYS[m.weekday()], "W": str(_week_of_year(m.date())),
        }
        if code not in table:
            raise EvaluationError(_("“%{code}” is not a date format code (use %Y %m %d %H %M %S …)"
                                ).format(code=code))
        out.append(table[code])
    return "".join(out)
