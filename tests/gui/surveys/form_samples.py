"""XLSForms written for the form tests: every widget family in one form, in English and Korean."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

FORM_ID = "field_check"
TOPICS = ["water", "waste", "energy", "transport", "housing", "health", "schools", "parks",
          "safety", "broadband", "tourism", "culture"]
DISTRICTS = [f"district_{i:02d}" for i in range(1, 46)]

SURVEY = [
    # type, name, label en, label ko, extra columns
    ("begin_group", "site", "Site", "현장", {"appearance": "field-list"}),
    ("begin_group", "place", "Place", "장소", {}),
    ("select_one countries", "country", "Country", "국가", {"required": "yes"}),
    ("select_one regions", "region", "Region in the country", "지역", {"choice_filter": "country=${country}"}),
    ("select_one districts", "district", "District", "구역", {"appearance": "search"}),
    ("end_group", "place", None, None, {}),
    ("select_one colours or_other", "colour", "Colour of the city logo", "도시 로고 색상", {}),
    ("date", "visit_date", "Visit date", "방문 날짜", {"required": "yes"}),
    ("time", "visit_time", "Visit time", "방문 시간", {}),
    ("dateTime", "visit_end", "End of the visit", "방문 종료", {}),
    ("end_group", "site", None, None, {}),
    ("begin_group", "money", "Money", "예산", {}),
    ("decimal", "budget", "Budget (million)", "예산(백만)", {"constraint": ". >= 0",
                                                         "constraint_message": "A budget is 0 or more."}),
    ("integer", "residents", "Residents (thousand)", "주민(천 명)", {}),
    ("calculate", "per_resident", "Budget per resident", "주민 1인당 예산",
     {"calculation": "${budget} div ${residents}"}),
    ("note", "per_note", "Per resident: ${per_resident} in ${country}",
     "주민 1인당: ${per_resident} (${country})", {}),
    ("range", "readiness", "Readiness from 0 to 10", "준비도 0–10", {"parameters": "start=0 end=10 step=1"}),
    ("rank", "priorities", "Rank the priorities", "우선순위 정하기", {}),
    ("select_multiple topics", "topics", "Topics discussed", "논의한 주제", {}),
    ("end_group", "money", None, None, {}),
    ("begin_group", "evidence", "Evidence", "증거", {}),
    ("geopoint", "location", "Location of the city hall", "시청 위치", {}),
    ("geotrace", "route", "Route walked", "걸은 경로", {}),
    ("barcode", "asset", "Asset tag", "자산 태그", {}),
    ("image", "photo", "Photo of the office", "사무실 사진", {}),
    ("acknowledge", "consent", "The official agreed to answer", "담당자가 응답에 동의함", {}),
    ("text", "remarks", "Remarks on ${country}", "${country}에 대한 의견",
     {"appearance": "multiline", "guidance_hint": "Note anything unusual."}),
    ("end_group", "evidence", None, None, {}),
]

CHOICES = [
    ("countries", "kr", "Korea", "한국", {}),
    ("countries", "mn", "Mongolia", "몽골", {}),
    ("regions", "seoul_r", "Seoul Capital Area", "수도권", {"country": "kr"}),
    ("regions", "busan_r", "Southeast", "동남권", {"country": "kr"}),
    ("regions", "ulaanbaatar_r", "Ulaanbaatar", "울란바토르", {"country": "mn"}),
    ("regions", "gobi_r", "Gobi", "고비", {"country": "mn"}),
    ("colours", "blue", "Blue", "파랑", {}),
    ("colours", "green", "Green", "초록", {}),
    ("priorities", "water_p", "Water", "물", {}),
    ("priorities", "roads_p", "Roads", "도로", {}),
    ("priorities", "data_p", "Data", "데이터", {}),
    *[("topics", name, name.capitalize(), name, {}) for name in TOPICS],
    *[("districts", name, name.replace("_", " ").title(), name, {}) for name in DISTRICTS],
]
for row in SURVEY:
    if row[0] == "rank":
        SURVEY[SURVEY.index(row)] = ("rank priorities", *row[1:])


def write_field_check(path: Path, version: str = "1") -> Path:
    """The XLSForm with every widget family (groups, cascade, long list, range, rank, geo …)."""
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    extra = ["required", "constraint", "constraint_message", "calculation", "choice_filter",
             "appearance", "parameters", "guidance_hint"]
    survey.append(["type", "name", "label::English (en)", "label::Korean (ko)", *extra])
    for kind, name, en, ko, columns in SURVEY:
        survey.append([kind, name, en, ko, *(columns.get(column) for column in extra)])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::Korean (ko)", "country"])
    for list_name, name, en, ko, columns in CHOICES:
        choices.append([list_name, name, en, ko, columns.get("country")])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version", "form_title::English (en)", "form_title::Korean (ko)"])
    settings.append([FORM_ID, version, "Field check", "현장 점검"])
    wb.save(path)
    return path


PROJECTS_ID = "project_pipeline"
PROJECTS_SURVEY = [
    ("text", "contact", "Contact person", {"required": "yes"}),
    ("integer", "visit_count", "How many site visits?", {}),
    ("begin_repeat", "projects", "Project", {"neascn_min_count": "1"}),
    ("text", "name", "Project name", {"required": "yes"}),
    ("select_one sectors or_other", "sector", "Sector", {}),
    ("select_one countries", "country", "Country", {}),
    ("select_one regions", "region", "Region", {"choice_filter": "country=${country}"}),
    ("geopoint", "location", "Location", {}),
    ("range", "readiness", "Readiness", {"parameters": "start=0 end=10 step=1"}),
    ("rank priorities", "priorities", "Priorities", {}),
    ("begin_repeat", "partners", "Partner", {}),
    ("text", "partner_name", "Partner name", {}),
    ("integer", "share", "Share (%)", {"constraint": ". <= 100"}),
    ("end_repeat", "partners", None, {}),
    ("end_repeat", "projects", None, {}),
    ("begin_repeat", "visits", "Site visit", {"repeat_count": "${visit_count}"}),
    ("date", "visit_day", "Day of the visit", {}),
    ("end_repeat", "visits", None, {}),
]
PROJECTS_CHOICES = [
    ("sectors", "transport", "Transport", {}),
    ("sectors", "energy", "Energy", {}),
    *[row for row in CHOICES if row[0] in ("countries", "regions", "priorities")],
]


def write_projects_form(path: Path) -> Path:
    """Nested repeats (projects › partners), a repeat_count-driven repeat, a cascade, a
    geopoint, a range, a rank and ``or_other`` — the form the keyboard-only test fills."""
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    extra = ["required", "constraint", "choice_filter", "parameters", "repeat_count",
             "neascn_min_count"]
    survey.append(["type", "name", "label", *extra])
    for kind, name, label, columns in PROJECTS_SURVEY:
        survey.append([kind, name, label, *(columns.get(column) for column in extra)])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label", "country"])
    for list_name, name, *labels in PROJECTS_CHOICES:
        choices.append([list_name, name, labels[0], labels[-1].get("country")])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version", "form_title"])
    settings.append([PROJECTS_ID, "1", "Project pipeline"])
    wb.save(path)
    return path
