# SPDX-License-Identifier: EUPL-1.2
"""Words people use for channels and reporters in exports, mapped onto Leerlus's codes."""

from .models import Channel, ReporterKind

CHANNEL_ALIASES: dict[str, str] = {
    **{code: code for code in Channel.values},
    "web": Channel.WEB_FORM,
    "website": Channel.WEB_FORM,
    "webformulier": Channel.WEB_FORM,
    "formulier": Channel.WEB_FORM,
    "internet": Channel.WEB_FORM,
    "web form": Channel.WEB_FORM,
    "telefoon": Channel.PHONE,
    "telefonisch": Channel.PHONE,
    "tel": Channel.PHONE,
    "bellen": Channel.PHONE,
    "balie": Channel.COUNTER,
    "loket": Channel.COUNTER,
    "baliebezoek": Channel.COUNTER,
    "e-mail": Channel.EMAIL,
    "mail": Channel.EMAIL,
    "email": Channel.EMAIL,
    "chatbot": Channel.CHAT,
    "webchat": Channel.CHAT,
    "whatsapp": Channel.CHAT,
    "social": Channel.SOCIAL_MEDIA,
    "social media": Channel.SOCIAL_MEDIA,
    "sociale media": Channel.SOCIAL_MEDIA,
    "twitter": Channel.SOCIAL_MEDIA,
    "x": Channel.SOCIAL_MEDIA,
    "facebook": Channel.SOCIAL_MEDIA,
    "instagram": Channel.SOCIAL_MEDIA,
    "sessie": Channel.SESSION,
    "bijeenkomst": Channel.SESSION,
}

REPORTER_ALIASES: dict[str, str] = {
    **{code: code for code in ReporterKind.values},
    "inwoner": ReporterKind.CITIZEN,
    "burger": ReporterKind.CITIZEN,
    "bewoner": ReporterKind.CITIZEN,
    "bedrijf": ReporterKind.BUSINESS,
    "ondernemer": ReporterKind.BUSINESS,
    "medewerker": ReporterKind.STAFF,
    "partner": ReporterKind.PARTNER,
    "ketenpartner": ReporterKind.PARTNER,
}


def channel_code(value: str) -> str | None:
    return CHANNEL_ALIASES.get(" ".join(value.lower().replace("_", " ").split()))


def reporter_code(value: str) -> str | None:
    return REPORTER_ALIASES.get(value.strip().lower())
