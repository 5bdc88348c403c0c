"""Build version 2026.2 of the built-in readiness survey from version 2026.1.

    python scripts/build_readiness_2026_2.py          # writes resources/surveys/neascn_readiness_2026_2.json
    python scripts/build_readiness_2026_2.py --check  # exit 1 if the file is not what this script builds

2026.2 is 2026.1 as a tree (document format 2: each section a group; every question, choice
and id unchanged, so answers of 2026.1 read the same) plus the project pipeline that development
banks ask cities for: a repeat ``projects`` at the end of "Finance and bankability", one
instance per smart-city project (name, sector, stage, financing sources, total investment and
its currency, partners, location, a project document).  Its questions are not scored (see
docs/scoring.md).  The texts below are in the six languages, with the terms of docs/glossary.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "resources" / "surveys" / "neascn_readiness.json"
TARGET = ROOT / "resources" / "surveys" / "neascn_readiness_2026_2.json"
VERSION = "2026.2"
LANGS = ("en", "ko", "zh_Hans", "ja", "ru", "mn")


def t(*texts: str) -> dict[str, str]:
    assert len(texts) == len(LANGS), texts
    return dict(zip(LANGS, texts, strict=True))


def choice(name: str, *texts: str) -> dict[str, Any]:
    return {"name": name, "label": t(*texts)}


CHOICE_LISTS: dict[str, list[dict[str, Any]]] = {
    "project_sectors": [
        choice("transport", "Transport and mobility", "교통과 모빌리티", "交通与出行", "交通・モビリティ",
               "Транспорт и мобильность", "Тээвэр ба хөдөлгөөн"),
        choice("energy", "Energy", "에너지", "能源", "エネルギー", "Энергетика", "Эрчим хүч"),
        choice("water", "Water and sanitation", "상하수도", "供水与卫生", "上下水道",
               "Водоснабжение и водоотведение", "Ус хангамж ба ариутгал"),
        choice("waste", "Solid waste", "폐기물", "固体废物", "廃棄物", "Твёрдые отходы", "Хатуу хог хаягдал"),
        choice("air_quality", "Air quality and environment", "대기질과 환경", "空气质量与环境", "大気質・環境",
               "Качество воздуха и окружающая среда", "Агаарын чанар ба байгаль орчин"),
        choice("digital_infrastructure", "Digital infrastructure", "디지털 인프라", "数字基础设施",
               "デジタルインフラ", "Цифровая инфраструктура", "Дижитал дэд бүтэц"),
        choice("e_government", "E-government and data", "전자정부와 데이터", "电子政务与数据",
               "電子政府・データ", "Электронное правительство и данные", "Цахим засаглал ба өгөгдөл"),
        choice("health", "Health", "보건", "卫生健康", "保健・医療", "Здравоохранение", "Эрүүл мэнд"),
        choice("tourism", "Tourism", "관광", "旅游", "観光", "Туризм", "Аялал жуулчлал"),
        choice("housing", "Housing and urban development", "주거와 도시개발", "住房与城市开发",
               "住宅・都市開発", "Жильё и городское развитие", "Орон сууц ба хот байгуулалт"),
        choice("other", "Other", "기타", "其他", "その他", "Другое", "Бусад"),
    ],
    "project_stages": [
        choice("idea", "Idea or concept", "아이디어 또는 구상", "构想或概念", "アイデア・構想",
               "Идея или концепция", "Санаа эсвэл үзэл баримтлал"),
        choice("prefeasibility", "Pre-feasibility study", "예비타당성 조사", "预可行性研究",
               "プレフィージビリティ調査", "Предварительное ТЭО", "Урьдчилсан ТЭЗҮ"),
        choice("feasibility", "Feasibility study completed", "타당성 조사 완료", "已完成可行性研究",
               "フィージビリティ調査完了", "ТЭО завершено", "ТЭЗҮ хийгдсэн"),
        choice("structuring", "Financing being arranged or procurement under way",
               "금융 조달 협의 또는 조달 진행 중", "正在安排融资或开展采购", "資金調達の調整中または調達手続き中",
               "Идёт привлечение финансирования или закупка", "Санхүүжилт зохион байгуулж буй эсвэл худалдан авалт явагдаж буй"),
        choice("financed", "Financing secured", "금융 조달 확정", "资金已落实", "資金確保済み",
               "Финансирование обеспечено", "Санхүүжилт баталгаажсан"),
        choice("implementation", "Under construction or implementation", "시공 또는 시행 중", "建设或实施中",
               "建設・実施中", "Строительство или реализация", "Барилга эсвэл хэрэгжилт явагдаж буй"),
        choice("operation", "In operation", "운영 중", "已投入运营", "運用中", "Эксплуатируется", "Ашиглалтад орсон"),
    ],
    "financing_sources": [
        choice("city_budget", "City budget", "시 예산", "市级预算", "市の予算", "Бюджет города", "Хотын төсөв"),
        choice("national_budget", "National budget or national programme", "국가 예산 또는 국가 프로그램",
               "国家预算或国家计划", "国の予算・国の事業", "Государственный бюджет или национальная программа",
               "Улсын төсөв эсвэл үндэсний хөтөлбөр"),
        choice("mdb_loan", "Development bank loan (e.g. ADB, World Bank, AIIB)",
               "개발은행 차관(예: ADB, 세계은행, AIIB)", "开发性银行贷款（如亚洲开发银行、世界银行、亚投行）",
               "開発銀行の融資（ADB、世界銀行、AIIB等）", "Кредит банка развития (например, АБР, Всемирный банк, АБИИ)",
               "Хөгжлийн банкны зээл (жишээ нь АХБ, Дэлхийн банк, АДХБ)"),
        choice("edcf", "EDCF concessional loan", "EDCF 양허성 차관", "EDCF 优惠贷款", "EDCF の譲許的融資",
               "Льготный кредит EDCF", "EDCF-ийн хөнгөлөлттэй зээл"),
        choice("grant", "Grant or technical assistance", "무상 원조 또는 기술 지원", "赠款或技术援助",
               "無償資金・技術支援", "Грант или техническая помощь", "Буцалтгүй тусламж эсвэл техникийн туслалцаа"),
        choice("ppp", "Public-private partnership (PPP)", "민관협력(PPP)", "政府和社会资本合作（PPP）",
               "PPP（官民連携）", "Государственно-частное партнёрство (ГЧП)",
               "Төр, хувийн хэвшлийн түншлэл (ТХХТ)"),
        choice("commercial", "Commercial loan", "상업 차입", "商业贷款", "商業融資", "Коммерческий кредит",
               "Арилжааны зээл"),
        choice("bond", "Municipal or green bond", "지방채 또는 녹색채권", "市政债券或绿色债券",
               "地方債・グリーンボンド", "Муниципальные или «зелёные» облигации",
               "Орон нутгийн эсвэл ногоон бонд"),
        choice("not_identified", "Not yet identified", "아직 미정", "尚未确定", "未定",
               "Пока не определён", "Одоогоор тодорхойгүй"),
    ],
    "currencies": [
        choice("usd", "US dollar (USD)", "미국 달러(USD)", "美元（USD）", "米ドル（USD）", "Доллар США (USD)",
               "Америк доллар (USD)"),
        choice("eur", "Euro (EUR)", "유로(EUR)", "欧元（EUR）", "ユーロ（EUR）", "Евро (EUR)", "Евро (EUR)"),
        choice("krw", "Korean won (KRW)", "원(KRW)", "韩元（KRW）", "韓国ウォン（KRW）",
               "Южнокорейская вона (KRW)", "Солонгос вон (KRW)"),
        choice("cny", "Chinese yuan (CNY)", "중국 위안(CNY)", "人民币（CNY）", "人民元（CNY）",
               "Китайский юань (CNY)", "Хятад юань (CNY)"),
        choice("jpy", "Japanese yen (JPY)", "일본 엔(JPY)", "日元（JPY）", "日本円（JPY）", "Японская иена (JPY)",
               "Япон иен (JPY)"),
        choice("rub", "Russian rouble (RUB)", "러시아 루블(RUB)", "俄罗斯卢布（RUB）", "ロシア・ルーブル（RUB）",
               "Российский рубль (RUB)", "Оросын рубль (RUB)"),
        choice("mnt", "Mongolian tögrög (MNT)", "몽골 투그릭(MNT)", "蒙古图格里克（MNT）", "モンゴル・トゥグルグ（MNT）",
               "Монгольский тугрик (MNT)", "Монгол төгрөг (MNT)"),
        choice("kpw", "North Korean won (KPW)", "북한 원(KPW)", "朝鲜圆（KPW）", "北朝鮮ウォン（KPW）",
               "Северокорейская вона (KPW)", "Хойд Солонгосын вон (KPW)"),
    ],
}


def question(name: str, qtype: str, label: dict[str, str], **more: Any) -> dict[str, Any]:
    node: dict[str, Any] = {"name": name, "type": qtype, "label": label}
    node.update(more)
    return node


PROJECTS: dict[str, Any] = {
    "type": "repeat",
    "name": "projects",
    "label": t("Smart-city project", "스마트시티 사업", "智慧城市项目", "スマートシティ事業",
               "Проект «умного города»", "Ухаалаг хотын төсөл"),
    "hint": t("Add one entry for each smart-city project the city is preparing or carrying out: the "
              "project pipeline that development banks ask for.",
              "시가 준비하거나 추진 중인 스마트시티 사업마다 항목을 하나씩 추가하십시오. 개발은행이 요청하는 사업 목록입니다.",
              "请为本市正在筹备或实施的每个智慧城市项目各添加一个条目：这就是开发性银行所要求的项目储备清单。",
              "市が準備中または実施中のスマートシティ事業ごとに項目を一つ追加してください。開発銀行が求める事業リストです。",
              "Добавьте по одной записи на каждый проект «умного города», который город готовит или "
              "реализует: это перечень проектов, который запрашивают банки развития.",
              "Хотын бэлтгэж буй эсвэл хэрэгжүүлж буй ухаалаг хотын төсөл бүрт нэг бичлэг нэмнэ үү: энэ нь "
              "хөгжлийн банкуудын шаарддаг төслийн жагсаалт юм."),
    "relevant": None,
    "extra": {"neascn_max_count": "50"},
    "children": [
        question("proj_name", "text", t("Project name", "사업명", "项目名称", "事業名", "Название проекта",
                                        "Төслийн нэр"), required="true()"),
        question("proj_sector", "select_one", t("Sector", "분야", "行业领域", "分野", "Отрасль", "Салбар"),
                 choices="project_sectors", required="true()"),
        question("proj_stage", "select_one", t("Stage of preparation", "준비 단계", "筹备阶段", "準備段階",
                                               "Стадия подготовки", "Бэлтгэлийн үе шат"),
                 choices="project_stages", required="true()"),
        question("proj_financing", "select_multiple",
                 t("Sources of financing (planned or secured)", "재원(계획 또는 확보)", "资金来源（计划或已落实）",
                   "資金源（予定または確保済み）", "Источники финансирования (планируемые или обеспеченные)",
                   "Санхүүжилтийн эх үүсвэр (төлөвлөсөн эсвэл баталгаажсан)"),
                 choices="financing_sources"),
        question("proj_investment", "decimal",
                 t("Total investment (millions)", "총사업비(백만 단위)", "总投资额（百万）", "総事業費（百万単位）",
                   "Общий объём инвестиций (млн)", "Нийт хөрөнгө оруулалт (сая)"),
                 hint=t("The estimated total cost of the project, in millions of the currency below.",
                        "사업의 추정 총비용을 아래 통화 기준 백만 단위로 입력하십시오.",
                        "项目的估计总成本，以下方所选货币的百万为单位。",
                        "事業の推定総費用を、下の通貨の百万単位で入力してください。",
                        "Ориентировочная полная стоимость проекта в миллионах единиц валюты, указанной ниже.",
                        "Төслийн нийт өртгийн тооцоог доор сонгосон валютаар, сая нэгжээр оруулна уу."),
                 constraint=". >= 0",
                 constraint_message=t("The amount cannot be negative.", "금액은 음수일 수 없습니다.",
                                      "金额不能为负数。", "金額は負の数にできません。",
                                      "Сумма не может быть отрицательной.", "Дүн сөрөг байж болохгүй.")),
        question("proj_currency", "select_one", t("Currency", "통화", "货币", "通貨", "Валюта", "Валют"),
                 choices="currencies", required="true()", relevant="${proj_investment} != ''"),
        question("proj_partners", "text",
                 t("Partners (development banks, companies, universities, other cities)",
                   "협력 기관(개발은행, 기업, 대학, 다른 도시)", "合作伙伴（开发性银行、企业、高校、其他城市）",
                   "パートナー（開発銀行、企業、大学、他都市）",
                   "Партнёры (банки развития, компании, университеты, другие города)",
                   "Түншүүд (хөгжлийн банк, компани, их сургууль, бусад хот)")),
        question("proj_location", "geopoint", t("Location", "위치", "位置", "位置", "Местоположение", "Байршил")),
        question("proj_document", "attachment",
                 t("Project document (e.g. feasibility study, concept note)", "사업 문서(예: 타당성 조사, 개념서)",
                   "项目文件（如可行性研究、概念说明）", "事業文書（フィージビリティ調査、コンセプトノート等）",
                   "Документ проекта (например, ТЭО, концептуальная записка)",
                   "Төслийн баримт бичиг (жишээ нь ТЭЗҮ, үзэл баримтлалын тэмдэглэл)"),
                 ),
    ],
}


def build(source: dict[str, Any]) -> dict[str, Any]:
    """2026.2 from the 2026.1 document."""
    doc = {key: value for key, value in source.items() if key != "sections"}
    doc["version"] = VERSION
    doc["format"] = 2
    doc["choice_lists"] = {**source["choice_lists"], **CHOICE_LISTS}
    children = []
    for section in source["sections"]:
        group = {"type": "group", "name": section["name"], "label": section["label"],
                 "relevant": section.get("relevant"), "children": list(section["questions"])}
        if section["name"] == "finance":
            group["children"].append(PROJECTS)
        children.append(group)
    doc["children"] = children
    return doc


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str]) -> int:
    text = render(build(json.loads(SOURCE.read_text(encoding="utf-8"))))
    if "--check" in argv:
        if not TARGET.is_file() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is not what {Path(__file__).name} builds; run it.", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
