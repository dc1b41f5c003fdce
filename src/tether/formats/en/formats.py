"""How dates read on English pages: one format for a day, one for a moment,
everywhere (templates write `{{ value|date }}` and
`{{ value|date:"DATETIME_FORMAT" }}`, never a format of their own). Day
first, month as a word, so "3 Apr 2025" cannot be misread as 4 March."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
