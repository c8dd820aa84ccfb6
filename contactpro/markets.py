"""The market a customer is served in: the country whose prices, coverage and currency apply.

A market is named by its ISO 3166 country code in lower case (``co``, ``mx``, ``us``), as the
knowledge base's market folders are. An account's currency says its market; a number's
country calling code says it for someone without an account, and its area code the time
zone its holder most likely lives in.
"""

from __future__ import annotations

from contactpro.models import Account
from contactpro.phone import to_e164

CURRENCY_MARKETS = {"COP": "co", "MXN": "mx", "USD": "us"}
CALLING_CODE_MARKETS = {"57": "co", "52": "mx", "1": "us"}
# The time zone most of a market's customers live in.
MARKET_TIMEZONES = {"co": "America/Bogota", "mx": "America/Mexico_City", "us": "America/New_York"}
# Area codes whose people live in another zone than their market's: the United States west of
# the Eastern zone, and the Mexican states off Mexico City's clock.
_AREA_TIMEZONES = {
    "1": {
        "America/Chicago": "205 210 214 217 218 224 225 228 251 254 256 262 281 308 309 312 314 "
        "316 318 319 320 325 331 334 337 346 361 402 405 409 414 417 430 432 447 464 469 479 "
        "501 504 507 512 515 531 534 539 557 563 573 580 601 605 608 612 615 618 620 629 630 "
        "636 641 651 659 660 662 682 701 708 712 713 715 726 731 737 763 769 773 779 785 806 "
        "815 816 817 830 832 847 870 872 901 903 913 918 920 931 936 938 940 945 952 956 972 "
        "979 985",
        "America/Denver": "208 303 307 385 406 435 505 575 719 720 801 915 970 983 986",
        "America/Phoenix": "480 520 602 623 928",
        "America/Los_Angeles": "206 209 213 253 279 310 323 341 350 360 408 415 424 425 442 458 "
        "503 509 510 530 541 559 562 564 619 626 628 650 657 661 669 702 707 714 725 747 760 "
        "775 805 818 820 831 840 858 909 916 925 949 951 971",
        "America/Anchorage": "907",
        "Pacific/Honolulu": "808",
    },
    "52": {
        "America/Tijuana": "646 664 686",
        "America/Hermosillo": "631 644 662",
        "America/Mazatlan": "311 612 624 667 669",
        "America/Ciudad_Juarez": "656",
        "America/Cancun": "983 984 998",
    },
}
# The same, looked up by calling code and the three digits of the area code.
_AREA_ZONES = {
    code: {area: zone for zone, areas in zones.items() for area in areas.split()}
    for code, zones in _AREA_TIMEZONES.items()
}


def _calling_code(number: str | None) -> tuple[str, str] | None:
    """Return a served number's country calling code and the national number after it."""
    e164 = to_e164(number)
    if e164 is None:
        return None
    for code in sorted(CALLING_CODE_MARKETS, key=len, reverse=True):
        if e164[1:].startswith(code):
            return code, e164[1 + len(code) :]
    return None


def market_of_number(number: str | None) -> str | None:
    """Return the market of a phone number's country calling code, None when not served."""
    found = _calling_code(number)
    return CALLING_CODE_MARKETS[found[0]] if found is not None else None


def timezone_of_number(number: str | None) -> str | None:
    """Return the time zone a phone number's holder most likely lives in (its area code's, else
    its market's); None when its country is not served."""
    found = _calling_code(number)
    if found is None:
        return None
    code, national = found
    if code == "52" and len(national) == 11 and national.startswith("1"):
        national = national[1:]  # the old mobile prefix: +52 1 664 ...
    area_zone = _AREA_ZONES.get(code, {}).get(national[:3])
    return area_zone or MARKET_TIMEZONES[CALLING_CODE_MARKETS[code]]


def market_of(account: Account | None, number: str | None) -> str | None:
    """Return the market of ``account`` (its currency), else of ``number``; None when unknown."""
    if account is not None and account.currency in CURRENCY_MARKETS:
        return CURRENCY_MARKETS[account.currency]
    return market_of_number(number)


# Where a zone's clock is, as a customer or an agent names it ("hora de Bogotá", "Bogotá time").
_ZONE_PLACES = {
    "America/Bogota": ("Bogotá", "Bogotá"),
    "America/Mexico_City": ("Ciudad de México", "Mexico City"),
    "America/New_York": ("Nueva York", "New York"),
    "America/Chicago": ("Chicago", "Chicago"),
    "America/Denver": ("Denver", "Denver"),
    "America/Phoenix": ("Phoenix", "Phoenix"),
    "America/Los_Angeles": ("Los Ángeles", "Los Angeles"),
    "America/Anchorage": ("Anchorage", "Anchorage"),
    "Pacific/Honolulu": ("Honolulu", "Honolulu"),
    "America/Tijuana": ("Tijuana", "Tijuana"),
    "America/Hermosillo": ("Hermosillo", "Hermosillo"),
    "America/Mazatlan": ("Mazatlán", "Mazatlán"),
    "America/Ciudad_Juarez": ("Ciudad Juárez", "Ciudad Juárez"),
    "America/Cancun": ("Cancún", "Cancún"),
}


def zone_place(zone: str, language: str) -> str:
    """Return the place whose clock ``zone`` keeps, in ``language`` ("America/Bogota" ->
    "Bogotá"); a zone not listed is named by its city ("Europe/Madrid" -> "Madrid")."""
    names = _ZONE_PLACES.get(zone)
    if names is None:
        return zone.rsplit("/", 1)[-1].replace("_", " ")
    return names[0] if language == "es" else names[1]
