"""Reproducible made-up report data: for tests, the benchmark and trying the builders out.

Texts come in all six languages (short phrases, so every script shows up in
the documents: Hangul, Han, kana, Cyrillic incl. Mongolian letters).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from neascn_desktop.reports.data import (
    AnswerItem,
    CityReadiness,
    CityRef,
    ConflictItem,
    DeviceImport,
    DomainInfo,
    DomainScore,
    EvidenceItem,
    FrameworkCommentData,
    FrameworkReportData,
    FrameworkSectionData,
    QuestionnaireItem,
    QuestionnaireSection,
    ReadinessReportData,
    ScoringRule,
    StatusReportData,
    SubmissionStatusRow,
)

_DOMAINS = {
    "governance": {"en": "Governance and strategy", "ko": "거버넌스와 전략", "zh_Hans": "治理与战略",
                   "ja": "ガバナンスと戦略", "ru": "Управление и стратегия", "mn": "Засаглал ба стратеги"},
    "infrastructure": {"en": "Digital infrastructure", "ko": "디지털 인프라", "zh_Hans": "数字基础设施",
                       "ja": "デジタル基盤", "ru": "Цифровая инфраструктура", "mn": "Дижитал дэд бүтэц"},
    "data": {"en": "Data and interoperability", "ko": "데이터와 상호운용성", "zh_Hans": "数据与互操作性",
             "ja": "データと相互運用性", "ru": "Данные и совместимость", "mn": "Өгөгдөл ба харилцан ажиллагаа"},
    "finance": {"en": "Finance and bankability", "ko": "재정과 사업성", "zh_Hans": "财务与可融资性",
                "ja": "財政とバンカビリティ", "ru": "Финансы и банкабельность", "mn": "Санхүү ба зээлжих чадвар"},
    "people": {"en": "People and ecosystem", "ko": "사람과 생태계", "zh_Hans": "人才与生态",
               "ja": "人材とエコシステム", "ru": "Люди и экосистема", "mn": "Хүн ба экосистем"},
    "services": {"en": "Thematic services", "ko": "분야별 서비스", "zh_Hans": "专题服务",
                 "ja": "分野別サービス", "ru": "Тематические услуги", "mn": "Салбарын үйлчилгээ"},
    "network": {"en": "Network participation", "ko": "네트워크 참여", "zh_Hans": "网络参与",
                "ja": "ネットワーク参加", "ru": "Участие в сети", "mn": "Сүлжээнд оролцох"},
}
_CITY_NAMES = [
    ({"en": "Seoul", "ko": "서울", "zh_Hans": "首尔", "ja": "ソウル", "ru": "Сеул", "mn": "Сөүл"},
     "KR", 126.978, 37.567),
    ({"en": "Busan", "ko": "부산", "zh_Hans": "釜山", "ja": "釜山", "ru": "Пусан", "mn": "Пусан"},
     "KR", 129.075, 35.180),
    ({"en": "Ulaanbaatar", "ko": "울란바토르", "zh_Hans": "乌兰巴托", "ja": "ウランバートル",
      "ru": "Улан-Батор", "mn": "Улаанбаатар"}, "MN", 106.917, 47.919),
    ({"en": "Vladivostok", "ko": "블라디보스토크", "zh_Hans": "符拉迪沃斯托克", "ja": "ウラジオストク",
      "ru": "Владивосток", "mn": "Владивосток"}, "RU", 131.886, 43.116),
    ({"en": "Tokyo", "ko": "도쿄", "zh_Hans": "东京", "ja": "東京", "ru": "Токио", "mn": "Токио"},
     "JP", 139.692, 35.690),
    ({"en": "Shenyang", "ko": "선양", "zh_Hans": "沈阳", "ja": "瀋陽", "ru": "Шэньян", "mn": "Шэньян"},
     "CN", 123.431, 41.806),
]
_QUESTIONS = {
    "en": ("Is there an adopted smart-city strategy?", "Share of households with internet access",
           "Open data portal maturity", "Main priority for cooperation"),
    "ko": ("채택된 스마트시티 전략이 있습니까?", "인터넷을 이용하는 가구의 비율", "공공데이터 포털의 성숙도",
           "협력의 주요 우선순위"),
    "zh_Hans": ("是否已通过智慧城市战略？", "接入互联网的家庭比例", "开放数据门户成熟度", "合作的主要优先领域"),
    "ja": ("スマートシティ戦略は採択されていますか？", "インターネットを利用する世帯の割合",
           "オープンデータポータルの成熟度", "協力の主な優先分野"),
    "ru": ("Принята ли стратегия умного города?", "Доля домохозяйств с доступом в интернет",
           "Зрелость портала открытых данных", "Главный приоритет сотрудничества"),
    "mn": ("Ухаалаг хотын стратеги батлагдсан уу?", "Интернэт хэрэглэдэг өрхийн эзлэх хувь",
           "Нээлттэй өгөгдлийн порталын төлөвшил", "Хамтын ажиллагааны гол тэргүүлэх чиглэл"),
}
_ANSWERS = {
    "en": ("Yes", "No", "Measured and continuously improved", "Air quality and transport"),
    "ko": ("예", "아니요", "측정되고 지속적으로 개선됨", "대기질과 교통"),
    "zh_Hans": ("是", "否", "已衡量并持续改进", "空气质量与交通"),
    "ja": ("はい", "いいえ", "測定され継続的に改善されている", "大気質と交通"),
    "ru": ("Да", "Нет", "Измеряется и постоянно улучшается", "Качество воздуха и транспорт"),
    "mn": ("Тийм", "Үгүй", "Хэмжигдэж, тасралтгүй сайжруулагддаг", "Агаарын чанар ба тээвэр"),
}


def _city_name(index: int, language: str) -> tuple[str, str, float, float]:
    names, country, lon, lat = _CITY_NAMES[index % len(_CITY_NAMES)]
    name = names.get(language, names["en"])
    if index >= len(_CITY_NAMES):
        name = f"{name} {index // len(_CITY_NAMES) + 1}"
    jitter = (index // len(_CITY_NAMES)) * 0.37
    return name, country, lon + (jitter % 6) - 3, lat + (jitter % 4) - 2


def readiness_data(cities: int = 6, language: str = "en", seed: int = 7,
                   questionnaire: bool = True) -> ReadinessReportData:
    rng = random.Random(seed)
    domains = tuple(
        DomainInfo(id=key, label=labels.get(language, labels["en"]),
                   description=labels.get(language, labels["en"]) + " — " + labels["en"].lower(),
                   weight=1.0)
        for key, labels in _DOMAINS.items()
    )
    questions = _QUESTIONS.get(language, _QUESTIONS["en"])
    answer_texts = _ANSWERS.get(language, _ANSWERS["en"])
    result = []
    for index in range(cities):
        name, country, lon, lat = _city_name(index, language)
        if index % 11 == 10:  # some cities have not answered
            result.append(CityReadiness(city_id=f"city{index}", name=name, country=country,
                                        latitude=lat, longitude=lon))
            continue
        scores = []
        for domain in domains:
            value = None if rng.random() < 0.05 else rng.choice([0, 25, 50, 75, 100]) * 0.4 + rng.uniform(0, 60)
            scores.append(DomainScore(domain.id, value, coverage=rng.uniform(0.5, 1.0),
                                      answered=rng.randint(3, 6), scorable=6))
        present = [s.score for s in scores if s.score is not None]
        answers = []
        for q_index in range(24):
            domain = domains[q_index % len(domains)]
            score = rng.choice([0.0, 25.0, 50.0, 75.0, 100.0, None])
            answers.append(AnswerItem(
                question_name=f"q{q_index}",
                question_label=questions[q_index % 3] + f" ({q_index + 1})",
                answer_text=answer_texts[q_index % 3], domain_id=domain.id, score=score,
                kind="scale",
                next_level=answer_texts[(q_index + 1) % 3] if score is not None and score < 100 else "",
                next_score=score + 25 if score is not None and score < 100 else None,
                weight=1.5 if q_index < len(domains) else 1.0,
            ))
        answers.append(AnswerItem("priority", questions[3], answer_texts[3],
                                  kind="select_multiple"))
        answers.append(AnswerItem("resp_name", "Name of the respondent", "Kim Min-ji",
                                  kind="text"))
        evidence = tuple(
            EvidenceItem(question_label=questions[0], filename=f"strategy-{index}-{n}.pdf",
                         size=rng.randint(20_000, 2_000_000), media_type="application/pdf")
            for n in range(rng.randint(0, 3))
        )
        result.append(CityReadiness(
            city_id=f"city{index}", name=name, country=country,
            population=rng.randint(200_000, 10_000_000), latitude=lat, longitude=lon,
            index=sum(present) / len(present) if present else None,
            coverage=sum(s.coverage for s in scores) / len(scores),
            domain_scores=tuple(scores), answers=tuple(answers), evidence=evidence,
            submission_status="finalized" if index % 4 else "in_progress",
            enumerator="Field Tester", updated_at=datetime(2026, 11, 1, tzinfo=UTC),
        ))
    sections: tuple[QuestionnaireSection, ...] = ()
    if questionnaire:
        sections = tuple(
            QuestionnaireSection(
                name=domain.id, label=domain.label,
                questions=tuple(
                    QuestionnaireItem(name=f"{domain.id}_{n}", label=questions[n % 3],
                                      type=("yes_no", "decimal", "scale")[n % 3],
                                      domain_id=domain.id,
                                      choices=answer_texts[:2] if n % 3 == 0 else ())
                    for n in range(5)
                ),
            )
            for domain in domains
        )
    return ReadinessReportData(
        language=language, form_id="neascn_readiness", form_version="2026.1",
        form_title={"en": "NEASCN smart-readiness survey", "ko": "NEASCN 스마트 준비도 조사",
                    "zh_Hans": "NEASCN 智慧城市准备度调查", "ja": "NEASCNスマート準備度調査",
                    "ru": "Опрос NEASCN о готовности", "mn": "NEASCN бэлэн байдлын судалгаа"
                    }.get(language, "NEASCN smart-readiness survey"),
        generated_at=datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
        domains=domains, cities=tuple(result), questionnaire=sections,
        scoring=_scoring_rules(domains, questions, answer_texts),
        sources=("ITU-T Y.4903 / U4SSC KPIs", "ISO 37122:2019", "ASEAN Smart Cities Framework (2018)"),
        cities_total=max(cities, 6),
    )


_MARKDOWN = """The network learns from the **ASEAN Smart Cities Network** (see
[the ASCN page](https://asean.org/our-communities/asean-smart-cities-network/)) and *adapts* it.

## Principles

- Open-ended and **voluntary** membership
- City-led, with `national endorsement` optional
  - nested point one
- Reciprocity

1. Knowledge exchange
2. Action-plan development
3. Matchmaking with financiers

| Function | Lead | Year |
| --- | --- | ---: |
| Knowledge exchange | WeGO | 2021 |
| Readiness benchmarking | Secretariat | 2022 |

> Nothing is adopted until the inaugural meeting agrees.

Plain text with a ~~struck~~ word and a line
break."""

_TITLES = {
    "en": ("Background", "Vision, mission and objectives", "Key functions", "Membership"),
    "ko": ("배경", "비전, 미션 및 목표", "핵심 기능", "회원 자격"),
    "zh_Hans": ("背景", "愿景、使命与目标", "核心职能", "成员资格"),
    "ja": ("背景", "ビジョン、ミッションと目標", "主要機能", "メンバーシップ"),
    "ru": ("Предыстория", "Видение, миссия и цели", "Ключевые функции", "Членство"),
    "mn": ("Үндэслэл", "Алсын хараа, эрхэм зорилго", "Гол чиг үүрэг", "Гишүүнчлэл"),
}


def framework_data(language: str = "en") -> FrameworkReportData:
    titles = _TITLES.get(language, _TITLES["en"])
    local = _ANSWERS.get(language, _ANSWERS["en"])[3]
    sections = (
        FrameworkSectionData("s1", 0, titles[0], _MARKDOWN + "\n\n" + local, "agreed", "WeGO"),
        FrameworkSectionData("s2", 0, titles[1], "A **shared** vision. " + local, "in_review"),
        FrameworkSectionData("s2a", 1, titles[2], "### Sub-heading\n\nText " + local, "draft"),
        FrameworkSectionData("s3", 0, titles[3], "", "draft"),
    )
    comments = (
        FrameworkCommentData("c1", "s1", "Kim", "Please cite the 2020 pre-workshop. " + local,
                             datetime(2026, 11, 2, tzinfo=UTC)),
        FrameworkCommentData("c2", "s2a", "Ivanova", "Добавить Өвөрхангай? " + local,
                             datetime(2026, 11, 3, tzinfo=UTC), reply_to=None),
    )
    return FrameworkReportData(language=language, title={
        "en": "Framework of the Northeast Asia Smart Cities Network",
        "ko": "동북아 스마트시티 네트워크 프레임워크", "zh_Hans": "东北亚智慧城市网络框架",
        "ja": "北東アジア・スマートシティ・ネットワークの枠組み",
        "ru": "Рамочный документ Сети умных городов Северо-Восточной Азии",
        "mn": "Зүүн хойд Азийн ухаалаг хотуудын сүлжээний үндсэн баримт бичиг",
    }.get(language, "Framework"), generated_at=datetime(2026, 11, 25, tzinfo=UTC),
        sections=sections, comments=comments)


def status_data(language: str = "en", cities: int = 8, submissions: int = 30,
                seed: int = 3) -> StatusReportData:
    rng = random.Random(seed)
    refs = tuple(CityRef(f"city{i}", _city_name(i, language)[0], _city_name(i, language)[1])
                 for i in range(cities))
    devices = ("dev-aaaaaaaa", "dev-bbbbbbbb", "dev-cccccccc")
    names = (("dev-aaaaaaaa", "Kim Field"), ("dev-bbbbbbbb", "Батболд"), ("dev-cccccccc", "佐藤"))
    base = datetime(2026, 11, 1, tzinfo=UTC)
    rows = tuple(
        SubmissionStatusRow(
            submission_id=f"s{i}", city_id=refs[rng.randrange(max(1, cities - 2))].city_id,
            device_id=rng.choice(devices), status=rng.choice(["finalized", "in_progress"]),
            updated_at=base + timedelta(hours=i),
        )
        for i in range(submissions)
    )
    imports = tuple(DeviceImport(d, n, base + timedelta(days=k), packages=k + 1)
                    for k, (d, n) in enumerate(names[:2]))
    conflicts = (ConflictItem("submission", "s3", refs[0].name),)
    return StatusReportData(language=language, generated_at=datetime(2026, 11, 25, tzinfo=UTC),
                            form_version="2026.1", cities=refs, submissions=rows,
                            device_names=names, imports=imports, conflicts=conflicts,
                            local_device_id="dev-cccccccc")


def _scoring_rules(domains: tuple[DomainInfo, ...], questions: tuple[str, ...],
                   answers: tuple[str, ...]) -> tuple[ScoringRule, ...]:
    """Three rules per domain: a maturity scale, a yes/no question and a number with thresholds."""
    rules = []
    for index, domain in enumerate(domains):
        rules.append(ScoringRule(questions[0] + f" ({index + 1})", domain.id, "scale",
                                 weight=1.5, choices=tuple((answers[n % 3], 25.0 * n)
                                                           for n in range(5)),
                                 source="ITU-T Y.4903 / U4SSC KPIs"))
        rules.append(ScoringRule(questions[1] + f" ({index + 1})", domain.id, "yes_no",
                                 choices=((answers[0], 100.0), (answers[1], 0.0))))
        rules.append(ScoringRule(questions[2] + f" ({index + 1})", domain.id, "decimal",
                                 thresholds=(0.5, 1.0, 2.0, 4.0), descending=index % 2 == 1,
                                 source="ISO 37122:2019"))
    return tuple(rules)
