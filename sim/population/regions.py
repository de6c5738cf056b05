"""Places an entity can come from: division codes, plate prefixes, customs districts.

A synthetic code must be consistent with the rest of the entity: an enterprise registered in
Hainan carries a ``46xxxx`` division code in its credit code, a Hainan resident's car a ``琼``
plate, an AEO the name of the customs district that certified it. This module holds the small
fact tables those choices are drawn from, as parallel tuples so the generators can index them
with NumPy arrays.

The division codes are real GB/T 2260 codes (Hainan's districts and county-level cities, and a
sample of mainland cities that trade most with the island); the customs districts are real
directly-subordinate customs of the GAC. Which of them an entity gets is drawn uniformly: their
relative sizes are not modelled.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "CUSTOMS_DISTRICTS",
    "HAINAN_CITY_LETTERS",
    "HAINAN_REGIONS",
    "MAINLAND_REGIONS",
    "REGIONS",
    "Region",
]


class Region(NamedTuple):
    """One administrative division.

    Attributes:
        code: six-digit GB/T 2260 code.
        name: short place name, as it would prefix a company name.
        plate: the one-character provincial abbreviation on licence plates.
        customs: key of the customs district (:data:`CUSTOMS_DISTRICTS`) covering it.
    """

    code: int
    name: str
    plate: str
    customs: str


HAINAN_REGIONS: tuple[Region, ...] = (
    Region(460105, "海口", "琼", "haikou"),  # Xiuying district
    Region(460106, "海口", "琼", "haikou"),  # Longhua district
    Region(460107, "海口", "琼", "haikou"),  # Qiongshan district
    Region(460108, "海口", "琼", "haikou"),  # Meilan district
    Region(460202, "三亚", "琼", "haikou"),  # Haitang district
    Region(460203, "三亚", "琼", "haikou"),  # Jiyang district
    Region(460204, "三亚", "琼", "haikou"),  # Tianya district
    Region(460205, "三亚", "琼", "haikou"),  # Yazhou district
    Region(460400, "儋州", "琼", "haikou"),  # Danzhou (Yangpu)
    Region(469002, "琼海", "琼", "haikou"),
    Region(469005, "文昌", "琼", "haikou"),
    Region(469006, "万宁", "琼", "haikou"),
    Region(469007, "东方", "琼", "haikou"),  # Basuo port
    Region(469023, "澄迈", "琼", "haikou"),
)

MAINLAND_REGIONS: tuple[Region, ...] = (
    Region(110105, "北京", "京", "beijing"),
    Region(120116, "天津", "津", "tianjin"),
    Region(310115, "上海", "沪", "shanghai"),
    Region(320505, "苏州", "苏", "nanjing"),
    Region(330106, "杭州", "浙", "hangzhou"),
    Region(330212, "宁波", "浙", "ningbo"),
    Region(350203, "厦门", "闽", "xiamen"),
    Region(370212, "青岛", "鲁", "qingdao"),
    Region(420106, "武汉", "鄂", "wuhan"),
    Region(430104, "长沙", "湘", "changsha"),
    Region(440106, "广州", "粤", "guangzhou"),
    Region(440305, "深圳", "粤", "shenzhen"),
    Region(440802, "湛江", "粤", "zhanjiang"),
    Region(450103, "南宁", "桂", "nanning"),
    Region(500103, "重庆", "渝", "chongqing"),
    Region(510107, "成都", "川", "chengdu"),
)

REGIONS: tuple[Region, ...] = HAINAN_REGIONS + MAINLAND_REGIONS
"""Hainan first: index ``< len(HAINAN_REGIONS)`` means Hainan."""

HAINAN_CITY_LETTERS = "ABCDEF"
"""Second characters of Hainan plates (琼A Haikou, 琼B Sanya, 琼C-琼F other cities)."""

CUSTOMS_DISTRICTS: dict[str, str] = {
    "haikou": "海口海关",
    "beijing": "北京海关",
    "tianjin": "天津海关",
    "shanghai": "上海海关",
    "nanjing": "南京海关",
    "hangzhou": "杭州海关",
    "ningbo": "宁波海关",
    "xiamen": "厦门海关",
    "qingdao": "青岛海关",
    "wuhan": "武汉海关",
    "changsha": "长沙海关",
    "guangzhou": "广州海关",
    "shenzhen": "深圳海关",
    "zhanjiang": "湛江海关",
    "nanning": "南宁海关",
    "chongqing": "重庆海关",
    "chengdu": "成都海关",
}
"""Customs districts by key, with their Chinese names; any of them may certify an AEO."""
