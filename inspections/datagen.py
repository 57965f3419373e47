"""Generated data at scale for load tests (`manage.py generate_data`).

Two registries: the real Hà Nam 2022 one (fixtures/units_ha_nam_2022.json, ~205 units) or every
district and commune of Vietnam in 2022 with each province's departments and each district's
divisions (fixtures/units_vietnam_2022.json.gz, ~20,900 units). On top of it, one plan a year
(2022 and 2023 by default) with its areas, criteria, team, visits, self-reports, self-inspections,
findings, conclusions and remediation, in the proportions below.

Deterministic: every random choice comes from `random.Random` seeded with the seed and the name
of the step, so the same seed gives the same rows (`dataset_digest` proves it). Rows are written
with bulk_create in batches, history rows included and dated when the thing happened. The
services' one-row-at-a-time checks are not called; their rules hold by construction: members of
a visit belong to one group of the team and a group makes one visit a day, visits fall on working
days inside the window, statuses follow their order (report, then review).

What was generated is recognisable: every generated account's username starts with "gen-", and
every generated plan's team note starts with MARKER followed by the settings it was made with.
Units count as generated when their code is in the registry of the chosen scale.
"""

import datetime
import functools
import gzip
import hashlib
import json
import math
import random
import time
import unicodedata
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count
from simple_history.utils import bulk_create_with_history

from inspections import services
from inspections.models import (
    AppendixFigure,
    AppendixRule,
    AppendixValue,
    ChecklistAnswer,
    ChecklistItem,
    Conclusion,
    ConclusionArea,
    ConclusionRevision,
    ContentArea,
    Criterion,
    EvidenceFile,
    Finding,
    Inspection,
    InspectionPlan,
    InspectionTeam,
    PaperCopyReceipt,
    RemediationAction,
    RemediationReport,
    RemediationReview,
    ReminderSent,
    Reschedule,
    ScheduleNotice,
    SelfInspectedUnit,
    SelfInspection,
    Submission,
    TeamMember,
    shift_year,
    vietnam_holidays,
)
from units.models import Unit, User, fold_text
from units.roles import Role, ensure_role_groups
from units.services import HA_NAM_2022_FIXTURE, units_load_fixture

SCALES = ("ha-nam", "national")
NATIONAL_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "units_vietnam_2022.json.gz"
MARKER = "[generate_data]"
USERNAME_PREFIX = "gen-"
PASSWORD = "cchc-gen-2022"
FILES_DIR = "generated"
BATCH = 2000
TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)
# At national scale the team comes from Hà Nam's departments (codes "35-SNV", ...).
NATIONAL_HOME_PREFIX = "35-"

# Proportions. Quotas (largest remainder) rather than coin tosses, so that small runs keep them.
VISIT_SHARE = 0.125  # of departments and districts, inspected directly each year (at least MIN_VISITS)
MIN_VISITS = 8
VISITS_PER_GROUP_DAY = 0.6  # a group of the team visits on 60 % of the window's working days at most
VISIT_STATUS = {"past": {"done": 97, "cancelled": 3}, "last": {"done": 91, "scheduled": 6, "cancelled": 3}}
RESCHEDULED = 0.08
REPORT_ARRIVAL = {"on_time": 80, "late": 13, "missing": 7}
PAPER_COPIES = {"full": 75, "split": 10, "short": 10, "none": 5}
CONCLUSION_STATE = {
    "past": {"issued": 80, "reissued": 12, "reopened": 3, "draft": 5},
    "last": {"issued": 68, "reissued": 10, "reopened": 5, "draft": 10, "none": 7},
}
REMEDIATION_STATUS = {
    "past": {"verified": 70, "reported": 8, "returned": 7, "open": 15},
    "last": {"verified": 40, "reported": 22, "returned": 12, "open": 26},
}
SELF_REPORT_ARRIVAL = {"on_time": 78, "late": 12, "missing": 10}
# Self-inspection: whether it started and, for a district, whether it reached the plan's minimum.
DEPARTMENT_SELF_INSPECTION = {"started": 95, "not_started": 5}
DISTRICT_SELF_INSPECTION = {"at_least_minimum": 90, "below_minimum": 8, "not_started": 2}
CHECKLIST_ANSWERS = {"yes": 78, "partly": 12, "no": 10}

# The team: a lead, then groups that visit side by side. (agency code suffix, role, position)
FIRST_GROUP = [
    ("SNV", TeamMember.Role.DEPUTY, "Trưởng phòng Cải cách hành chính, Sở Nội vụ"),
    ("SNV", TeamMember.Role.SECRETARY, "Chuyên viên Phòng Cải cách hành chính, Sở Nội vụ"),
    ("VPUBND", TeamMember.Role.MEMBER, "Phó Chánh Văn phòng UBND tỉnh"),
    ("STP", TeamMember.Role.MEMBER, "Trưởng phòng Xây dựng và Kiểm tra văn bản, Sở Tư pháp"),
    ("STC", TeamMember.Role.MEMBER, "Phó Trưởng phòng Quản lý ngân sách, Sở Tài chính"),
]
OTHER_GROUP = [
    ("SNV", TeamMember.Role.DEPUTY, "Phó Trưởng phòng Cải cách hành chính, Sở Nội vụ"),
    ("SNV", TeamMember.Role.MEMBER, "Chuyên viên Phòng Cải cách hành chính, Sở Nội vụ"),
    ("VPUBND", TeamMember.Role.MEMBER, "Trưởng phòng Kiểm soát thủ tục hành chính, Văn phòng UBND tỉnh"),
    ("STTTT", TeamMember.Role.MEMBER, "Trưởng phòng Công nghệ thông tin, Sở Thông tin và Truyền thông"),
    ("SKHCN", TeamMember.Role.MEMBER, "Chánh Văn phòng Sở Khoa học và Công nghệ"),
]
GROUP_SIZE = len(FIRST_GROUP)
assert len(OTHER_GROUP) == GROUP_SIZE

# Invented people: common Vietnamese family, middle and given names.
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Phan", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Đinh"]
MIDDLE = {
    "m": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Thanh", "Công", "Mạnh", "Tiến"],
    "f": ["Thị", "Thu", "Thanh", "Ngọc", "Hồng", "Minh", "Thị Thu", "Thị Hồng", "Thị Lan", "Phương"],
}
GIVEN = {
    "m": ["Hùng", "Minh", "Nam", "Tuấn", "Dũng", "Hải", "Long", "Quân", "Thắng", "Sơn", "Phong", "Trung", "Huy"],
    "f": ["Mai", "Lan", "Hương", "Hà", "Linh", "Trang", "Thảo", "Nhung", "Hạnh", "Ngọc", "Yến", "Phương", "Hằng"],
}

# What teams write, per content area (the seven areas of fixtures/criteria_cchc.json).
STRENGTHS = {
    1: [
        "Ban hành Kế hoạch CCHC năm {year} đúng thời hạn, xác định rõ nhiệm vụ, sản phẩm và thời hạn hoàn thành.",
        "Phân công lãnh đạo phụ trách và công chức theo dõi công tác CCHC; nội dung CCHC được lồng ghép trong "
        "các cuộc họp giao ban định kỳ.",
        "Báo cáo CCHC định kỳ quý, 6 tháng được gửi đúng thời hạn, đầy đủ nội dung theo đề cương.",
        "Ban hành và thực hiện Kế hoạch tuyên truyền CCHC với nhiều hình thức: trang thông tin điện tử, hội nghị, "
        "mạng xã hội.",
        "Có sáng kiến, mô hình mới trong công tác CCHC được triển khai, áp dụng có hiệu quả.",
        "Ban hành kế hoạch khắc phục các tiêu chí bị trừ điểm trong Chỉ số CCHC năm {prev}.",
    ],
    2: [
        "Ban hành Kế hoạch xây dựng văn bản quy phạm pháp luật năm {year}; văn bản được tham mưu ban hành "
        "đúng tiến độ.",
        "Văn bản quy phạm pháp luật được cập nhật kịp thời lên Cơ sở dữ liệu quốc gia về pháp luật.",
        "Thực hiện rà soát, hệ thống hóa văn bản định kỳ và công bố danh mục văn bản hết hiệu lực đúng quy định.",
        "Tổ chức phổ biến, giáo dục pháp luật với hình thức đa dạng, hoàn thành kế hoạch năm {year}.",
        "Ban hành Kế hoạch theo dõi tình hình thi hành pháp luật, xác định lĩnh vực trọng tâm phù hợp.",
    ],
    3: [
        "100% thủ tục hành chính thuộc thẩm quyền được công khai trên Cổng Dịch vụ công của tỉnh.",
        "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn và trước hạn đạt trên 98%.",
        "Bộ phận Tiếp nhận và Trả kết quả được bố trí đủ công chức, trang thiết bị đáp ứng yêu cầu.",
        "Thực hiện số hóa hồ sơ, kết quả giải quyết thủ tục hành chính theo Nghị định số 45/2020/NĐ-CP.",
        "Thực hiện đầy đủ văn bản xin lỗi đối với hồ sơ giải quyết quá hạn.",
        "Tổ chức đánh giá mức độ hài lòng của người dân bằng thiết bị điện tử tại Bộ phận Một cửa.",
    ],
    4: [
        "Ban hành quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức đúng quy định.",
        "Cơ cấu tổ chức bên trong và số lượng cấp phó được bố trí đúng quy định.",
        "Sử dụng biên chế trong phạm vi được giao; thực hiện tinh giản biên chế đúng lộ trình.",
        "Hoàn thành sắp xếp đơn vị sự nghiệp công lập trực thuộc theo Nghị quyết số 19-NQ/TW.",
        "Ban hành quy chế làm việc, phân công nhiệm vụ rõ người, rõ việc, không chồng chéo.",
    ],
    5: [
        "Đề án vị trí việc làm được cấp có thẩm quyền phê duyệt; bố trí công chức đúng vị trí việc làm.",
        "Đánh giá, xếp loại chất lượng công chức, viên chức năm {prev} đúng quy trình và thời hạn.",
        "Ban hành và thực hiện Kế hoạch đào tạo, bồi dưỡng công chức, viên chức năm {year} đạt tỷ lệ cao.",
        "Thực hiện nghiêm kỷ luật, kỷ cương hành chính và văn hóa công sở.",
        "Tuyển dụng viên chức công khai, minh bạch, đúng quy định.",
    ],
    6: [
        "Ban hành quy chế chi tiêu nội bộ và quy chế quản lý, sử dụng tài sản công đúng quy định.",
        "Công khai dự toán, quyết toán ngân sách đúng nội dung và thời điểm.",
        "Thực hiện tốt Chương trình thực hành tiết kiệm, chống lãng phí năm {year}.",
        "Sử dụng biên lai, hóa đơn điện tử trong thu phí, lệ phí.",
        "Tiến độ giải ngân vốn đầu tư công đạt kế hoạch được giao.",
    ],
    7: [
        "Sử dụng hiệu quả phần mềm quản lý văn bản và điều hành; văn bản đi, đến được gửi, nhận dưới dạng điện tử.",
        "Tỷ lệ văn bản đi được ký số đạt trên 95%.",
        "Áp dụng, duy trì Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015.",
        "Dịch vụ công trực tuyến toàn trình được cung cấp và tích hợp trên Cổng Dịch vụ công quốc gia.",
        "Trang thông tin điện tử được cập nhật thường xuyên theo Nghị định số 42/2022/NĐ-CP.",
    ],
}
SHORTCOMINGS = {
    1: [
        "Chưa ban hành Kế hoạch tự kiểm tra công tác CCHC năm {year} đối với các đơn vị trực thuộc.",
        "Một số nhiệm vụ trong Kế hoạch CCHC năm {year} chậm tiến độ, chưa làm rõ nguyên nhân và giải pháp.",
        "Báo cáo CCHC quý II năm {year} gửi chậm so với thời hạn quy định.",
        "Chưa ban hành kế hoạch khắc phục các tiêu chí bị trừ điểm trong Chỉ số CCHC năm {prev}.",
        "Nội dung tuyên truyền CCHC còn đơn điệu, chủ yếu đăng tải văn bản trên trang thông tin điện tử.",
        "Chưa gắn kết quả thực hiện nhiệm vụ CCHC với đánh giá, xếp loại và thi đua, khen thưởng.",
    ],
    2: [
        "Chưa ban hành Kế hoạch tự kiểm tra văn bản quy phạm pháp luật năm {year}.",
        "Một số văn bản quy phạm pháp luật chưa được cập nhật lên Cơ sở dữ liệu quốc gia về pháp luật.",
        "Hồ sơ lấy ý kiến, thẩm định dự thảo văn bản quy phạm pháp luật chưa đầy đủ theo quy định.",
        "Chưa bố trí kinh phí cho công tác kiểm tra, rà soát văn bản.",
        "Báo cáo theo dõi tình hình thi hành pháp luật năm {prev} gửi chậm so với thời hạn.",
    ],
    3: [
        "Chưa thực hiện văn bản xin lỗi đối với một số hồ sơ giải quyết quá hạn.",
        "Sổ theo dõi hồ sơ và Phiếu kiểm soát quá trình giải quyết hồ sơ chưa đúng mẫu theo Thông tư số "
        "01/2018/TT-VPCP.",
        "Tỷ lệ hồ sơ được số hóa khi tiếp nhận còn thấp.",
        "Tỷ lệ thanh toán trực tuyến phí, lệ phí giải quyết thủ tục hành chính còn thấp.",
        "Một số thủ tục hành chính niêm yết tại Bộ phận Một cửa chưa được cập nhật theo quyết định công bố mới.",
        "Chưa cập nhật đầy đủ trạng thái xử lý hồ sơ trên Hệ thống thông tin giải quyết thủ tục hành chính.",
    ],
    4: [
        "Số lượng cấp phó tại một số phòng chuyên môn vượt quy định.",
        "Chưa ban hành quy định chức năng, nhiệm vụ của một số đơn vị trực thuộc sau sắp xếp.",
        "Chưa tổ chức kiểm tra việc thực hiện các nhiệm vụ đã phân cấp, ủy quyền.",
        "Hợp đồng lao động làm công việc hỗ trợ, phục vụ chưa thực hiện theo Nghị định số 111/2022/NĐ-CP.",
        "Kết quả tinh giản biên chế chưa đạt lộ trình được giao.",
    ],
    5: [
        "Chưa rà soát, điều chỉnh Đề án vị trí việc làm khi có thay đổi về chức năng, nhiệm vụ.",
        "Hồ sơ cán bộ, công chức chưa được cập nhật đầy đủ vào cơ sở dữ liệu.",
        "Chưa thực hiện chuyển đổi vị trí công tác định kỳ đối với một số vị trí theo quy định.",
        "Chưa tổ chức kiểm tra công vụ tại các đơn vị trực thuộc trong năm {year}.",
        "Kế hoạch đào tạo, bồi dưỡng năm {year} hoàn thành thấp so với chỉ tiêu.",
    ],
    6: [
        "Quy chế chi tiêu nội bộ chưa được sửa đổi, bổ sung kịp thời khi chế độ thay đổi.",
        "Chưa mở sổ theo dõi tài sản công theo quy định.",
        "Phương án tự chủ tài chính của một số đơn vị sự nghiệp trực thuộc chưa được phê duyệt.",
        "Tiến độ giải ngân vốn đầu tư công năm {year} còn chậm so với kế hoạch.",
        "Chưa thực hiện đầy đủ kết luận, kiến nghị của cơ quan thanh tra, kiểm toán.",
    ],
    7: [
        "Tỷ lệ hồ sơ nộp trực tuyến trên tổng số hồ sơ tiếp nhận còn thấp.",
        "Chưa cập nhật quy trình ISO khi thủ tục hành chính thay đổi.",
        "Hồ sơ đề xuất cấp độ an toàn hệ thống thông tin chưa được phê duyệt.",
        "Một số lãnh đạo chưa sử dụng chữ ký số khi ký văn bản điện tử.",
        "Chưa công bố dữ liệu mở theo Nghị định số 47/2020/NĐ-CP.",
    ],
}
CAUSES = [
    "Người đứng đầu chưa quan tâm đúng mức đến công tác CCHC.",
    "Công chức phụ trách CCHC kiêm nhiệm nhiều việc.",
    "Cơ sở vật chất, trang thiết bị chưa đáp ứng yêu cầu.",
    "Việc theo dõi, đôn đốc thực hiện nhiệm vụ chưa thường xuyên.",
]
ASSESSMENTS = [
    "{unit} đã quan tâm chỉ đạo, triển khai thực hiện công tác CCHC năm {year} cơ bản đầy đủ, kịp thời; "
    "tuy nhiên còn một số tồn tại, hạn chế cần khắc phục.",
    "{unit} thực hiện tương đối tốt các nhiệm vụ CCHC năm {year}; cần tập trung khắc phục các tồn tại, "
    "hạn chế đã chỉ ra.",
    "Công tác CCHC năm {year} của {unit} có nhiều chuyển biến tích cực, nhất là cải cách thủ tục hành chính "
    "và xây dựng chính quyền số.",
    "{unit} đã triển khai các nhiệm vụ CCHC năm {year} theo kế hoạch; một số nội dung còn chậm tiến độ, "
    "cần khắc phục trong thời gian tới.",
]
EXTRA_ACTIONS = [
    "Rà soát, hoàn thiện hồ sơ công tác CCHC năm {year} theo hướng dẫn của Sở Nội vụ.",
    "Báo cáo kết quả khắc phục các tồn tại, hạn chế về Sở Nội vụ (qua Phòng Cải cách hành chính).",
]
REMEDIATION_REPORTS = [
    "Đơn vị đã khắc phục, ban hành văn bản số {n}/KH ngày {day}.",
    "Đã chấn chỉnh, tổ chức thực hiện đúng quy định từ ngày {day}.",
    "Đã rà soát, cập nhật đầy đủ; gửi kèm tài liệu minh chứng.",
    "Đã triển khai khắc phục; kết quả cụ thể nêu tại Báo cáo số {n}/BC ngày {day}.",
]
RETURN_COMMENTS = [
    "Đề nghị gửi kèm văn bản minh chứng đã ban hành.",
    "Báo cáo chưa nêu rõ kết quả khắc phục cụ thể; đề nghị bổ sung số liệu.",
    "Tài liệu minh chứng chưa phù hợp với nội dung yêu cầu; đề nghị bổ sung.",
    "Đề nghị báo cáo rõ thời điểm hoàn thành.",
]
REOPEN_REASONS = [
    "Bổ sung yêu cầu khắc phục theo ý kiến của Lãnh đạo UBND tỉnh.",
    "Điều chỉnh nhận xét sau khi đơn vị cung cấp thêm tài liệu.",
    "Sửa lỗi số liệu trong đánh giá chung.",
]
RESCHEDULE_REASONS = [
    "Đơn vị đề nghị lùi lịch do trùng kỳ họp Hội đồng nhân dân.",
    "Trưởng đoàn bận công tác đột xuất.",
    "Đơn vị đề nghị đổi ngày do trùng lịch tiếp công dân định kỳ.",
    "Thay đổi theo chỉ đạo của Lãnh đạo UBND tỉnh.",
]
CHECKLIST_NOTES = {"partly": ["Thực hiện chưa thường xuyên.", "Chưa đầy đủ.", ""], "no": ["", "Chưa bố trí."]}
RECOMMENDATIONS = (
    "1. Đề nghị các cơ quan, đơn vị được kiểm tra khẩn trương khắc phục các tồn tại, hạn chế và báo cáo kết "
    "quả về Sở Nội vụ đúng thời hạn.\n"
    "2. Giao Sở Nội vụ theo dõi, đôn đốc việc khắc phục; tổng hợp kết quả báo cáo UBND tỉnh.\n"
    "3. Đề nghị UBND cấp huyện tăng cường tự kiểm tra, bảo đảm tỷ lệ tối thiểu {ratio}% đơn vị trực thuộc."
)


class Refused(Exception):
    """The database holds data this command must not touch (or already holds what was asked for)."""


@dataclass
class Options:
    scale: str
    seed: int = 2022
    years: tuple[int, ...] = (2022, 2023)
    visits_per_year: int | None = None
    files: bool = False
    force: bool = False

    def __post_init__(self):
        if self.scale not in SCALES:
            raise ValueError(self.scale)
        self.years = tuple(sorted(set(self.years)))

    @property
    def signature(self) -> str:
        """What the plans' team note starts with: the marker and every setting that shapes the data."""
        return (
            f"{MARKER} scale={self.scale} seed={self.seed} years={','.join(map(str, self.years))} "
            f"visits={self.visits_per_year or 'auto'} files={'yes' if self.files else 'no'}"
        )


@dataclass
class Result:
    status: str  # "generated" or "unchanged"
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    replaced_plans: list[int] = field(default_factory=list)


# --- Registry --------------------------------------------------------------------------------


def read_national(path: Path = NATIONAL_FIXTURE) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as data:
        return json.load(data)


def registry_rows(scale: str) -> list[dict]:
    """The units of a scale as rows {code, kind, name, short_name, parent, sort_order}, parents first."""
    if scale == "ha-nam":
        return json.loads(HA_NAM_2022_FIXTURE.read_text("utf-8"))["units"]
    data = read_national()
    return [dict(zip(data["fields"], row, strict=True)) for row in data["units"]]


def _load_units(scale: str, rows: list[dict]) -> int:
    """Create the registry's missing units; returns how many. Hà Nam goes through the app's loader."""
    if scale == "ha-nam":
        return units_load_fixture().created
    existing = set(Unit.objects.values_list("code", flat=True))
    missing = [row for row in rows if row["code"] not in existing]

    def unit(row, parent_id=None):
        return Unit(
            code=row["code"],
            kind=row["kind"],
            name=row["name"],
            short_name=row["short_name"],
            sort_order=row["sort_order"],
            parent_id=parent_id,
            # bulk_create skips Unit.save(), which keeps this search key.
            search_text=fold_text(f"{row['name']} {row['short_name']}"),
        )

    Unit.objects.bulk_create([unit(row) for row in missing if not row["parent"]], batch_size=BATCH)
    ids = dict(Unit.objects.values_list("code", "pk"))
    Unit.objects.bulk_create([unit(row, ids[row["parent"]]) for row in missing if row["parent"]], batch_size=BATCH)
    return len(missing)


# --- Refusal, and replacing plans ------------------------------------------------------------


def check_database(options: Options, registry_codes: set[str]) -> str:
    """Return "fresh" to generate, or "done" when the same data is already there; raise Refused otherwise."""
    foreign_units = sorted(c for c in Unit.objects.values_list("code", flat=True) if c not in registry_codes)
    foreign_users = sorted(
        User.objects.exclude(username__startswith=USERNAME_PREFIX).values_list("username", flat=True)
    )
    plans = dict(InspectionPlan.objects.values_list("year", "team__note"))
    foreign_plans = sorted(year for year, note in plans.items() if not (note or "").startswith(MARKER))
    problems = []
    for what, items in (("units", foreign_units), ("accounts", foreign_users), ("plans", foreign_plans)):
        if items:
            shown = ", ".join(map(str, items[:5])) + (", ..." if len(items) > 5 else "")
            problems.append(f"{len(items)} {what} not made by generate_data --scale {options.scale} ({shown})")
    if problems and not options.force:
        raise Refused(
            "Refusing to run: the database holds data that generate_data did not make: "
            + "; ".join(problems)
            + ". Use an empty, migrated database, or --force to add the generated data anyway "
            "(plans of the same years are then deleted and replaced)."
        )
    ours = {year: plans[year] for year in options.years if year in plans}
    if not ours or options.force:
        return "fresh"
    if set(ours) == set(options.years) and all((note or "").startswith(options.signature) for note in ours.values()):
        return "done"
    made_with = sorted({(note or "").split(" Dữ liệu")[0] for note in ours.values()})
    raise Refused(
        f"Refusing to run: plans of {', '.join(map(str, sorted(ours)))} already exist, made with other settings "
        f"({'; '.join(made_with)}), not {options.signature}. Use --force to delete them and generate again."
    )


# Every model holding rows of a plan, deepest first: the order plans_delete empties them in.
PLAN_ROWS = [
    (RemediationReview, "action__conclusion__inspection__plan"),
    (EvidenceFile, "remediation_report__action__conclusion__inspection__plan"),
    (EvidenceFile, "finding__plan"),
    (RemediationReport, "action__conclusion__inspection__plan"),
    (RemediationAction, "conclusion__inspection__plan"),
    (ConclusionRevision, "conclusion__inspection__plan"),
    (ConclusionArea, "conclusion__inspection__plan"),
    (Conclusion, "inspection__plan"),
    (Finding, "plan"),
    (ChecklistAnswer, "inspection__plan"),
    (ScheduleNotice, "inspection__plan"),
    (Reschedule, "inspection__plan"),
    (PaperCopyReceipt, "inspection__plan"),
    (Submission, "plan"),
    (Inspection.members.through, "inspection__plan"),
    (Inspection.checked_divisions.through, "inspection__plan"),
    (Inspection, "plan"),
    (SelfInspectedUnit, "self_inspection__plan"),
    (SelfInspection, "plan"),
    (AppendixValue, "plan"),
    (AppendixRule, "plan"),
    (AppendixFigure, "plan"),
    (ChecklistItem, "plan"),
    (ReminderSent, "plan"),
    (Criterion, "area__plan"),
    (ContentArea, "plan"),
    (TeamMember, "team__plan"),
    (InspectionTeam, "plan"),
    (InspectionPlan.directly_inspected_units.through, "inspectionplan"),
]


def _report_rows():
    from reports.models import GeneratedDocument, SummaryNote

    return [(SummaryNote, "plan"), (GeneratedDocument, "plan")]


def plans_delete(years) -> list[int]:
    """Delete the plans of `years` with every row under them (their history rows too).

    Raw deletes in dependency order: the ORM's delete would load every row and write a history
    row for each, which takes minutes at national scale. Files on disk are left where they are.
    """
    plans = InspectionPlan.objects.filter(year__in=years)
    deleted = sorted(plans.values_list("year", flat=True))
    if not deleted:
        return []
    plan_ids = list(plans.values_list("pk", flat=True))
    for model, path in PLAN_ROWS + _report_rows():
        rows = model.objects.filter(**{f"{path}__in": plan_ids})
        history = getattr(model, "history", None)
        if history is not None:
            _raw_delete(history.model.objects.filter(id__in=rows.values("pk")))
        _raw_delete(rows)
    InspectionPlan.objects.filter(copied_from__in=plan_ids).update(copied_from=None)
    _raw_delete(InspectionPlan.history.model.objects.filter(id__in=plan_ids))
    _raw_delete(InspectionPlan.objects.filter(pk__in=plan_ids))
    return deleted


def _raw_delete(queryset) -> None:
    # No collector, no signals: one DELETE statement (QuerySet._raw_delete is how Django's own
    # fast deletes run).
    queryset._raw_delete(queryset.db)


# --- Small helpers ---------------------------------------------------------------------------


def _at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), TZ)


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _allot(rng: random.Random, n: int, weights: dict[str, float]) -> list[str]:
    """n labels in the given proportions (largest remainder; ties go to the earlier label), shuffled."""
    total = sum(weights.values())
    exact = [(label, n * weight / total) for label, weight in weights.items()]
    counts = {label: int(x) for label, x in exact}
    for label, _x in sorted(exact, key=lambda e: -(e[1] - int(e[1])))[: n - sum(counts.values())]:
        counts[label] += 1
    labels = [label for label, _x in exact for _i in range(counts[label])]
    rng.shuffle(labels)
    return labels


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).encode("ascii", "replace").decode()


def pdf_bytes(lines: list[str]) -> bytes:
    """A small valid one-page PDF showing `lines` (without diacritics: the standard Helvetica)."""
    text = " ".join(
        f"({_ascii(line).replace(chr(92), '').replace('(', '[').replace(')', ']')}) Tj 0 -16 Td" for line in lines
    )
    stream = f"BT /F1 11 Tf 56 780 Td {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class _Files:
    """The stored files of generated rows: one shared placeholder PDF, or (--files) one small PDF
    per row, written under MEDIA_ROOT/generated/ with names that are the same on every run."""

    def __init__(self, per_row: bool):
        self.per_row = per_row
        self.written = 0
        self.counter = 0
        if not per_row:
            self.placeholder = self._write(
                f"{FILES_DIR}/placeholder.pdf", pdf_bytes(["CCHC - generated data (manage.py generate_data)"])
            )

    def _write(self, name: str, data: bytes) -> tuple[str, int, str]:
        storage = default_storage
        if storage.exists(name):
            storage.delete(name)
        stored = storage.save(name, ContentFile(data))
        self.written += 1
        return stored, len(data), hashlib.sha256(data).hexdigest()

    def fill(self, row, *, year: int, code: str, label: str) -> None:
        """Set a StoredFile row's file, size, sha256 and extension."""
        if self.per_row:
            self.counter += 1
            name, size, digest = self._write(
                f"{FILES_DIR}/{year}/{code}/{self.counter:06d}.pdf", pdf_bytes([label, f"{code} {year}"])
            )
        else:
            name, size, digest = self.placeholder
        row.file, row.size, row.sha256, row.extension = name, size, digest, "pdf"
        row.original_name = f"{label}.pdf"


def _insert(model, objs: list) -> list:
    """bulk_create in batches; for history-tracked models the history rows too, dated by each
    object's `_history_date` and `_history_user`."""
    if not objs:
        return objs
    if getattr(model, "history", None) is not None:
        return bulk_create_with_history(objs, model, batch_size=BATCH)
    return model.objects.bulk_create(objs, batch_size=BATCH)


def _stamp(obj, when: datetime.datetime, user_id: int | None):
    """Date the object's history row and name who made it."""
    obj._history_date = when
    obj._history_user = _user_stub(user_id) if user_id else None
    return obj


@functools.cache
def _user_stub(pk: int) -> User:
    # History rows only need the user's key; one instance per account rather than per row.
    return User(pk=pk)


# --- Generation ------------------------------------------------------------------------------


@dataclass
class _YearLayout:
    year: int
    last: bool
    fields: dict
    scheduled_on: datetime.date
    days: list[datetime.date]
    visits: int
    groups: int


class _Generator:
    def __init__(self, options: Options, registry_codes: set[str]):
        self.options = options
        self.files = _Files(options.files)
        plan_data = json.loads(services.PLAN_2022_FIXTURE.read_text("utf-8"))
        self.plan_template = plan_data["plan"]
        self.scheduled_on_template = datetime.date.fromisoformat(plan_data["scheduled_on"])
        units = [u for u in Unit.objects.all() if u.code in registry_codes]
        self.unit = {u.pk: u for u in units}
        active = sorted((u for u in units if u.is_active), key=lambda u: u.code)
        self.departments = [u for u in active if u.kind == Unit.Kind.DEPARTMENT]
        self.districts = [u for u in active if u.kind == Unit.Kind.DISTRICT]
        self.children = defaultdict(list)
        for u in active:
            if u.parent_id:
                self.children[u.parent_id].append(u)
        prefix = "" if options.scale == "ha-nam" else NATIONAL_HOME_PREFIX
        by_code = {u.code: u for u in units}
        self.agency = {suffix: by_code[prefix + suffix] for suffix, _r, _p in FIRST_GROUP + OTHER_GROUP}

    def rng(self, *parts) -> random.Random:
        # A string seed is hashed with SHA-512: the same on every run and every machine.
        return random.Random(":".join(map(str, (self.options.seed, *parts))))

    # --- layout and people

    def layout(self, year: int, last: bool) -> _YearLayout:
        shift = year - self.plan_template["year"]
        fields = dict(self.plan_template)
        for name in services.PLAN_DATE_FIELDS:
            value = fields[name]
            fields[name] = shift_year(datetime.date.fromisoformat(value), shift) if value else None
        fields["year"] = year
        fields["title"] = fields["title"].replace(str(self.plan_template["year"]), str(year))
        holidays = vietnam_holidays(year)
        last_day = min(fields["window_end"], fields["remediation_deadline"] - _days(fields["min_remediation_days"]))
        days, day = [], fields["window_start"]
        while day <= last_day:
            if day.weekday() < 5 and day not in holidays:
                days.append(day)
            day += _days(1)
        tops = len(self.departments) + len(self.districts)
        visits = min(tops, self.options.visits_per_year or max(MIN_VISITS, round(VISIT_SHARE * tops)))
        groups = max(1, math.ceil(visits / (VISITS_PER_GROUP_DAY * len(days))))
        scheduled_on = shift_year(self.scheduled_on_template, shift)
        return _YearLayout(year, last, fields, scheduled_on, days, visits, groups)

    def make_users(self, groups: int) -> None:
        """Accounts for every role, all with the same password (hashed once). Existing gen- accounts are kept."""
        rng = self.rng("people")
        password = make_password(PASSWORD)

        def person():
            sex = rng.choice("mf")
            return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[sex])}", rng.choice(GIVEN[sex])

        specs = [
            ("gen-coordinator", Role.COORDINATOR, None, True, "Chuyên viên Phòng Cải cách hành chính, Sở Nội vụ"),
            ("gen-coordinator-2", Role.COORDINATOR, None, True, "Chuyên viên Phòng Cải cách hành chính, Sở Nội vụ"),
            ("gen-coordinator-3", Role.COORDINATOR, None, True, "Phó Trưởng phòng Cải cách hành chính, Sở Nội vụ"),
            ("gen-leader", Role.LEADERSHIP, None, False, "Phó Chủ tịch UBND tỉnh"),
            ("gen-lead", Role.INSPECTOR, None, False, "Phó Giám đốc Sở Nội vụ"),
        ]
        specs += [
            (f"gen-inspector-{i:02d}", Role.INSPECTOR, None, False, "Thành viên Đoàn Kiểm tra")
            for i in range(1, groups * GROUP_SIZE + 1)
        ]
        specs += [
            (f"gen-unit-{u.code.lower()}", Role.UNIT_STAFF, u, False, "Chuyên viên phụ trách CCHC")
            for u in self.departments + self.districts
        ]
        existing = {u.username: u for u in User.objects.filter(username__startswith=USERNAME_PREFIX)}
        new = []
        for username, _role, unit, is_staff, position in specs:
            last_name, first_name = person()  # drawn for every spec, so names do not depend on what exists
            if username not in existing:
                new.append(
                    User(
                        username=username,
                        password=password,
                        last_name=last_name,
                        first_name=first_name,
                        email=f"{username}@gen.invalid",
                        unit=unit,
                        is_staff=is_staff,
                        position=position,
                    )
                )
        User.objects.bulk_create(new, batch_size=BATCH)
        self.users = {u.username: u for u in User.objects.filter(username__startswith=USERNAME_PREFIX)}
        groups_by_role = {g.name: g.pk for g in Group.objects.all()}
        Through = User.groups.through
        Through.objects.bulk_create(
            [Through(user_id=self.users[s[0]].pk, group_id=groups_by_role[s[1].value]) for s in specs],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        self.coordinators = [self.users[s[0]].pk for s in specs if s[1] == Role.COORDINATOR]
        self.lead_user = self.users["gen-lead"].pk
        self.inspectors = [self.users[s[0]].pk for s in specs if s[0].startswith("gen-inspector-")]
        self.unit_user = {s[2].pk: self.users[s[0]].pk for s in specs if s[2] is not None}
        self.new_users = len(new)

    # --- one plan

    def make_year(self, lay: _YearLayout, visited_before: set[int]) -> set[int]:
        """The plan of one year and everything under it; returns the units it inspected directly."""
        year, age = lay.year, "last" if lay.last else "past"
        rng = self.rng(year, "plan")
        fields = dict(lay.fields)
        fields["status"] = InspectionPlan.Status.ACTIVE if lay.last else InspectionPlan.Status.CLOSED
        fields["number"] = str(rng.randint(100, 2400))
        fields["issue_date"] = fields["window_start"] - _days(rng.randint(30, 50))
        plan = InspectionPlan(**fields)
        plan.full_clean()
        plan.save()
        services.plan_seed_areas(plan=plan)
        services.plan_seed_figures(plan=plan)
        services.plan_seed_checklist(plan=plan)
        team = InspectionTeam.objects.create(
            plan=plan,
            decision_number=f"{rng.randint(1000, 2999)}/QĐ-UBND",
            decision_date=lay.scheduled_on - _days(5),
            note=f"{self.options.signature} Dữ liệu sinh tự động để thử tải, không phải số liệu thật.",
        )
        self.plan, self.year, self.age, self.lay = plan, year, age, lay
        self.areas = list(plan.areas.order_by("number"))
        self.criteria = {a.pk: list(a.criteria.order_by("order")) for a in self.areas}
        self.items = list(plan.checklist_items.order_by("order"))
        self.figures = list(plan.figures.order_by("order"))

        direct = self.choose_direct(visited_before)
        Through = InspectionPlan.directly_inspected_units.through
        Through.objects.bulk_create([Through(inspectionplan_id=plan.pk, unit_id=u.pk) for u in direct])
        groups = self.make_team(team)
        visits = self.make_visits(direct, groups)
        self.make_reports(visits)
        findings = self.make_visit_findings(visits)
        self.make_conclusions(visits, findings)
        direct_pks = {u.pk for u in direct}
        self.make_self_inspections([u for u in self.departments + self.districts if u.pk not in direct_pks])
        self.make_summary_note()
        return direct_pks

    def choose_direct(self, visited_before: set[int]) -> list[Unit]:
        """About VISIT_SHARE of departments and districts, in proportion, preferring units not visited
        in the years generated before."""
        rng = self.rng(self.year, "direct")
        n = self.lay.visits
        tops = len(self.departments) + len(self.districts)
        n_districts = min(len(self.districts), round(n * len(self.districts) / tops))
        chosen = []
        for pool, k in ((self.districts, n_districts), (self.departments, n - n_districts)):
            fresh = [u for u in pool if u.pk not in visited_before]
            seen = [u for u in pool if u.pk in visited_before]
            chosen += rng.sample(fresh, k) if len(fresh) >= k else fresh + rng.sample(seen, k - len(fresh))
        return sorted(chosen, key=lambda u: u.code)

    def make_team(self, team: InspectionTeam) -> list[list[TeamMember]]:
        """The lead and `groups` groups of five; the lead goes with the first group."""
        rng = self.rng(self.year, "team")
        people = list(self.inspectors[: self.lay.groups * GROUP_SIZE])
        rng.shuffle(people)
        lead = TeamMember(
            team=team,
            user_id=self.lead_user,
            position="Phó Giám đốc Sở Nội vụ",
            agency=self.agency["SNV"],
            role=TeamMember.Role.LEAD,
        )
        groups, members = [], [lead]
        for g in range(self.lay.groups):
            layout = FIRST_GROUP if g == 0 else OTHER_GROUP
            group = [
                TeamMember(team=team, user_id=people.pop(), position=position, agency=self.agency[code], role=role)
                for code, role, position in layout
            ]
            groups.append(([lead] if g == 0 else []) + group)
            members += group
        TeamMember.objects.bulk_create(members)
        return groups

    def make_visits(self, direct: list[Unit], groups) -> list[Inspection]:
        rng = self.rng(self.year, "visits")
        order = list(direct)
        rng.shuffle(order)
        statuses = _allot(rng, len(order), VISIT_STATUS[self.age])
        plan, visits, reschedules = self.plan, [], []
        per_group = defaultdict(list)
        for i, unit in enumerate(order):
            per_group[i % len(groups)].append(unit)
        for g, units in sorted(per_group.items()):
            days = sorted(rng.sample(self.lay.days, len(units)))
            for unit, day in zip(units, days, strict=True):
                district = unit.kind == Unit.Kind.DISTRICT
                if district:
                    start, end = datetime.time(8), datetime.time(16, 30)
                    place = f"Hội trường {unit.name}; Bộ phận Một cửa"
                elif rng.random() < 0.8:
                    start, end, place = datetime.time(8), datetime.time(11, 30), f"Phòng họp {unit.name}"
                else:
                    start, end, place = datetime.time(14), datetime.time(17), f"Phòng họp {unit.name}"
                members = [m for m in groups[g] if m.role == TeamMember.Role.LEAD or rng.random() < 0.85]
                visit = Inspection(
                    plan=plan,
                    unit_id=unit.pk,
                    date=day,
                    start_time=start,
                    end_time=end,
                    place=place,
                    status=statuses[len(visits)],
                    scheduled_on=self.lay.scheduled_on,
                )
                visit.going = members
                visits.append(_stamp(visit, _at(self.lay.scheduled_on, 10), self.coordinators[0]))
        # A few visits were moved: the earlier date is kept with who moved it and why.
        for visit in visits:
            if visit.status == Inspection.Status.CANCELLED or rng.random() >= RESCHEDULED:
                continue
            old = rng.choice(self.lay.days)
            latest = min(old, visit.date) - _days(8)
            if old == visit.date or latest <= self.lay.scheduled_on:
                continue
            changed_on = self.lay.scheduled_on + _days(rng.randint(1, (latest - self.lay.scheduled_on).days))
            visit.scheduled_on = changed_on
            reschedules.append(
                (
                    visit,
                    {
                        "old_date": old,
                        "old_start_time": visit.start_time,
                        "old_end_time": visit.end_time,
                        "old_place": visit.place,
                        "new_date": visit.date,
                        "new_start_time": visit.start_time,
                        "new_end_time": visit.end_time,
                        "new_place": visit.place,
                        "reason": rng.choice(RESCHEDULE_REASONS),
                        "changed_by_id": rng.choice(self.coordinators),
                        "changed_at": _at(changed_on, rng.randint(8, 16)),
                    },
                )
            )
        visits.sort(key=lambda v: (v.date, v.start_time, self.unit[v.unit_id].code))
        _insert(Inspection, visits)
        Reschedule.objects.bulk_create([Reschedule(inspection=v, **row) for v, row in reschedules])
        Members = Inspection.members.through
        Members.objects.bulk_create(
            [Members(inspection_id=v.pk, teammember_id=m.pk) for v in visits for m in v.going], batch_size=BATCH
        )
        Checked = Inspection.checked_divisions.through
        checked = []
        for v in visits:
            divisions = [u for u in self.children[v.unit_id] if u.kind == Unit.Kind.DIVISION]
            if v.status == Inspection.Status.DONE and divisions:
                picked = rng.sample(divisions, min(len(divisions), rng.randint(3, 5)))
                checked += [Checked(inspection_id=v.pk, unit_id=u.pk) for u in sorted(picked, key=lambda u: u.code)]
        Checked.objects.bulk_create(checked, batch_size=BATCH)
        return visits

    def make_reports(self, visits: list[Inspection]) -> None:
        """Each visited unit's report and appendix (with figures) before the visit, and paper copies."""
        rng = self.rng(self.year, "reports")
        live = [v for v in visits if v.status != Inspection.Status.CANCELLED]
        arrivals = _allot(rng, len(live), REPORT_ARRIVAL)
        copies = _allot(rng, len(live), PAPER_COPIES)
        submissions, values, receipts = [], [], []
        required = self.plan.paper_copies_required
        for visit, arrival, copy in zip(live, arrivals, copies, strict=True):
            if arrival == "missing":
                continue
            unit, user = self.unit[visit.unit_id], self.unit_user[visit.unit_id]
            due = visit.report_due_date
            early = arrival == "on_time"
            day = due - _days(rng.randint(0, 8)) if early else due + _days(rng.randint(1, 6))
            uploaded = _at(day, rng.randint(7, 17), rng.randint(0, 59))
            versions = [uploaded] + ([uploaded + _days(rng.randint(1, 3))] if rng.random() < 0.2 else [])
            for n, when in enumerate(versions, start=1):
                label = f"Báo cáo CCHC năm {self.year} - {unit.short_name}" + (" (bản sửa đổi)" if n > 1 else "")
                submissions.append(self._submission(unit, user, Submission.Kind.REPORT, when, due, label, visit))
            if rng.random() < 0.85:
                label = f"Phụ lục số liệu CCHC năm {self.year} - {unit.short_name}"
                submissions.append(self._submission(unit, user, Submission.Kind.APPENDIX, uploaded, due, label, visit))
                figures = _appendix_values(rng, unit.kind == Unit.Kind.DISTRICT)
                values += [
                    AppendixValue(plan=self.plan, unit_id=unit.pk, figure=f, value=figures[f.code], updated_by_id=user)
                    for f in self.figures
                    if f.code in figures
                ]
            received = day + _days(rng.randint(0, 3))
            parts = {"full": [required], "split": [required // 2, required - required // 2], "none": []}.get(
                copy, [rng.randint(1, max(1, required - 1))]
            )
            receipts += [
                PaperCopyReceipt(
                    inspection=visit,
                    count=count,
                    received_on=received + _days(i),
                    recorded_by_id=rng.choice(self.coordinators),
                )
                for i, count in enumerate(parts)
                if count
            ]
        _insert(Submission, submissions)
        AppendixValue.objects.bulk_create(values, batch_size=BATCH)
        PaperCopyReceipt.objects.bulk_create(receipts, batch_size=BATCH)

    def _submission(self, unit, user_id, kind, when, due, label, inspection=None) -> Submission:
        row = Submission(
            plan=self.plan,
            unit_id=unit.pk,
            inspection=inspection,
            kind=kind,
            due_date=due,
            uploaded_by_id=user_id,
            uploaded_at=when,
        )
        self.files.fill(row, year=self.year, code=unit.code, label=label)
        return _stamp(row, when, user_id)

    def _texts(self, rng, bank: dict, area_number: int, k: int) -> list[str]:
        texts = rng.sample(bank[area_number], min(k, len(bank[area_number])))
        return [t.format(year=self.year, prev=self.year - 1) for t in texts]

    def make_visit_findings(self, visits: list[Inspection]) -> dict[int, list[Finding]]:
        """Strengths and shortcomings per area for every visit made; at a district, the one-stop desks
        of the district and three communes checked, a "no" often written up as a shortcoming."""
        rng = self.rng(self.year, "findings")
        findings, answers, evidence = defaultdict(list), [], []
        for visit in visits:
            if visit.status != Inspection.Status.DONE:
                continue
            unit = self.unit[visit.unit_id]
            writers = [m.user_id for m in visit.going]
            for area in self.areas:
                n_strengths = rng.choice([1, 1, 1, 2, 2])
                n_shortcomings = rng.choice([0, 0, 1, 1, 1, 2])
                for kind, bank, k in (
                    (Finding.Kind.STRENGTH, STRENGTHS, n_strengths),
                    (Finding.Kind.SHORTCOMING, SHORTCOMINGS, n_shortcomings),
                ):
                    for text in self._texts(rng, bank, area.number, k):
                        criterion = rng.choice(self.criteria[area.pk]) if rng.random() < 0.7 else None
                        findings[visit.pk].append(
                            self._finding(visit, area, criterion, kind, text, rng.choice(writers), rng)
                        )
            if unit.kind == Unit.Kind.DISTRICT:
                communes = [u for u in self.children[unit.pk] if u.kind == Unit.Kind.COMMUNE]
                desks = [unit] + sorted(rng.sample(communes, min(3, len(communes))), key=lambda u: u.code)
                area3 = next(a for a in self.areas if a.number == services.ONE_STOP_AREA_NUMBER)
                for desk in desks:
                    for item in self.items:
                        answer = rng.choices(list(CHECKLIST_ANSWERS), weights=list(CHECKLIST_ANSWERS.values()))[0]
                        note = rng.choice(CHECKLIST_NOTES[answer]) if answer in CHECKLIST_NOTES else ""
                        writer = rng.choice(writers)
                        row = ChecklistAnswer(
                            inspection=visit,
                            desk_unit_id=desk.pk,
                            item=item,
                            answer=answer,
                            note=note,
                            answered_by_id=writer,
                        )
                        answers.append(_stamp(row, _at(visit.date, rng.randint(9, 15)), writer))
                        if answer == ChecklistAnswer.Answer.NO and rng.random() < 0.5:
                            text = f"Bộ phận Một cửa {desk.short_name}: {item.text} - chưa thực hiện."
                            text += f" {note}" if note else ""
                            finding = self._finding(visit, area3, None, Finding.Kind.SHORTCOMING, text, writer, rng)
                            finding.checklist_answer = row
                            findings[visit.pk].append(finding)
        _insert(ChecklistAnswer, answers)
        rows = [f for visit in visits for f in findings.get(visit.pk, [])]
        _insert(Finding, rows)
        for finding in rows:
            if rng.random() < 0.12:
                unit = self.unit[finding.unit_id]
                row = EvidenceFile(finding=finding, uploaded_by_id=finding.created_by_id, uploaded_at=finding.when)
                self.files.fill(row, year=self.year, code=unit.code, label=f"Biên bản làm việc - {unit.short_name}")
                evidence.append(_stamp(row, finding.when, finding.created_by_id))
        _insert(EvidenceFile, evidence)
        return findings

    def _finding(self, visit, area, criterion, kind, text, user_id, rng) -> Finding:
        when = _at(visit.date, rng.randint(9, 16), rng.randint(0, 59))
        row = Finding(
            plan=self.plan,
            unit_id=visit.unit_id,
            inspection=visit,
            area=area,
            criterion=criterion,
            kind=kind,
            text=text,
            created_by_id=user_id,
        )
        row.when = when
        return _stamp(row, when, user_id)

    def make_conclusions(self, visits: list[Inspection], findings: dict[int, list[Finding]]) -> None:
        """The lead's conclusions (most issued, some reissued after reopening), their requests, and
        the units' remediation in every status."""
        rng = self.rng(self.year, "conclusions")
        lead = self.lead_user
        done = [v for v in visits if v.status == Inspection.Status.DONE]
        states = _allot(rng, len(done), CONCLUSION_STATE[self.age])
        conclusions, areas, actions, revisions = [], [], [], []
        for visit, state in zip(done, states, strict=True):
            if state == "none":
                continue
            unit = self.unit[visit.unit_id]
            visit_findings = findings.get(visit.pk, [])
            issued_on = visit.date + _days(rng.randint(4, 15))
            assessment = rng.choice(ASSESSMENTS).format(unit=unit.name, year=self.year)
            if state == "draft" and rng.random() < 0.3:
                assessment = ""
            conclusion = Conclusion(
                inspection=visit,
                general_assessment=assessment,
                status=Conclusion.Status.ISSUED if state in ("issued", "reissued") else Conclusion.Status.DRAFT,
                updated_by_id=lead,
                version=2 if assessment else 1,
            )
            conclusion.state, conclusion.unit, conclusion.issued_on = state, unit, issued_on
            conclusions.append(_stamp(conclusion, _at(issued_on, 15), lead))
            summary = {}
            for f in visit_findings:
                key = "strengths" if f.kind == Finding.Kind.STRENGTH else "shortcomings"
                summary.setdefault(f.area_id, {"strengths": [], "shortcomings": []})[key].append(f"- {f.text}")
            conclusion.summaries = []
            for area in self.areas:
                parts = summary.get(area.pk, {"strengths": [], "shortcomings": []})
                row = ConclusionArea(
                    conclusion=conclusion,
                    area=area,
                    strengths="\n".join(parts["strengths"]),
                    shortcomings="\n".join(parts["shortcomings"]),
                    causes=rng.choice(CAUSES) if parts["shortcomings"] and rng.random() < 0.5 else "",
                )
                conclusion.summaries.append(row)
                areas.append(_stamp(row, _at(issued_on, 15), lead))
            conclusion.requests = []
            if state != "draft" or rng.random() < 0.5:
                deadline = self.plan.remediation_deadline
                if (deadline - issued_on).days < 14:
                    deadline = issued_on + _days(30)
                for f in visit_findings:
                    if f.kind == Finding.Kind.SHORTCOMING and rng.random() < 0.9:
                        conclusion.requests.append(
                            RemediationAction(
                                conclusion=conclusion, unit_id=unit.pk, finding=f, text=f.text, deadline=deadline
                            )
                        )
                if rng.random() < 0.15:
                    text = rng.choice(EXTRA_ACTIONS).format(year=self.year)
                    conclusion.requests.append(
                        RemediationAction(conclusion=conclusion, unit_id=unit.pk, text=text, deadline=deadline)
                    )
                actions += [_stamp(a, _at(issued_on, 14), lead) for a in conclusion.requests]
        _insert(Conclusion, conclusions)
        _insert(ConclusionArea, areas)
        _insert(RemediationAction, actions)

        for c in conclusions:
            if c.state == "draft":
                continue
            snapshot = self._snapshot(c, findings.get(c.inspection.pk, []))
            first = _at(c.issued_on, 16)
            if c.state == "issued":
                revisions.append(
                    ConclusionRevision(conclusion=c, number=1, snapshot=snapshot, issued_by_id=lead, issued_at=first)
                )
                continue
            # Reopened once with a reason: the first issue lacked the last request (or said less).
            earlier = dict(snapshot, actions=snapshot["actions"][:-1] if len(snapshot["actions"]) > 1 else [])
            reopened = first + _days(rng.randint(3, 10))
            revisions.append(
                ConclusionRevision(
                    conclusion=c,
                    number=1,
                    snapshot=earlier,
                    issued_by_id=lead,
                    issued_at=first,
                    reopened_by_id=lead,
                    reopened_at=reopened,
                    reopen_reason=rng.choice(REOPEN_REASONS),
                )
            )
            if c.state == "reissued":
                revisions.append(
                    ConclusionRevision(
                        conclusion=c,
                        number=2,
                        snapshot=snapshot,
                        issued_by_id=lead,
                        issued_at=reopened + _days(rng.randint(1, 5)),
                    )
                )
        ConclusionRevision.objects.bulk_create(revisions, batch_size=BATCH)
        last_issue = {}
        for r in revisions:
            last_issue[r.conclusion.pk] = max(last_issue.get(r.conclusion.pk, r.issued_at), r.issued_at)
        issued_actions = [a for c in conclusions if c.status == Conclusion.Status.ISSUED for a in c.requests]
        self.make_remediation(issued_actions, last_issue, rng)

    def _snapshot(self, conclusion: Conclusion, visit_findings: list[Finding]) -> dict:
        """As services.conclusion_snapshot writes it, from the rows in hand."""
        visit = conclusion.inspection
        numbers = {a.pk: a for a in self.areas}
        return {
            "unit": conclusion.unit.name,
            "date": visit.date.isoformat(),
            "general_assessment": conclusion.general_assessment,
            "areas": [
                {
                    "number": s.area.number,
                    "title": s.area.title,
                    "strengths": s.strengths,
                    "shortcomings": s.shortcomings,
                    "causes": s.causes,
                }
                for s in conclusion.summaries
            ],
            "findings": [
                {"area": numbers[f.area_id].number, "kind": f.kind, "text": f.text}
                for f in sorted(visit_findings, key=lambda f: (numbers[f.area_id].number, f.pk))
            ],
            "actions": [
                {"text": a.text, "deadline": a.deadline.isoformat()}
                for a in sorted(conclusion.requests, key=lambda a: (a.deadline, a.pk))
            ],
        }

    def make_remediation(self, actions: list[RemediationAction], issued_at: dict, rng) -> None:
        """Statuses in the plan's proportions, each reached the way the app gets there: a report, then
        a review (verified or returned), a returned one reported again."""
        statuses = _allot(rng, len(actions), REMEDIATION_STATUS[self.age])
        reports, reviews, evidence, changed = [], [], [], []
        for action, status in zip(actions, statuses, strict=True):
            if status == "open":
                continue
            unit = self.unit[action.unit_id]
            user = self.unit_user[action.unit_id]
            when = issued_at[action.conclusion.pk] + _days(rng.randint(7, 40))
            # The steps: R = report, X = returned review, V = verified review.
            steps = {
                "reported": rng.choice(["R", "R", "RXR"]),
                "returned": "RX",
                "verified": rng.choice(["RV", "RV", "RV", "RXRV"]),
            }[status]
            last_report = None
            for step in steps:
                if step == "R":
                    text = rng.choice(REMEDIATION_REPORTS).format(n=rng.randint(10, 300), day=f"{when:%d/%m/%Y}")
                    last_report = _stamp(
                        RemediationReport(action=action, text=text, submitted_by_id=user, submitted_at=when), when, user
                    )
                    reports.append(last_report)
                    last_step = when
                    for _i in range(rng.choice([0, 1, 1, 2])):
                        row = EvidenceFile(remediation_report=last_report, uploaded_by_id=user, uploaded_at=when)
                        self.files.fill(
                            row, year=self.year, code=unit.code, label=f"Văn bản khắc phục - {unit.short_name}"
                        )
                        evidence.append(_stamp(row, when, user))
                    when += _days(rng.randint(2, 12))
                else:
                    reviewer = rng.choice(self.coordinators)
                    verified = step == "V"
                    review = RemediationReview(
                        action=action,
                        report=last_report,
                        decision=RemediationReview.Decision.VERIFIED
                        if verified
                        else RemediationReview.Decision.RETURNED,
                        comment="" if verified else rng.choice(RETURN_COMMENTS),
                        reviewed_by_id=reviewer,
                        reviewed_at=when,
                    )
                    reviews.append(_stamp(review, when, reviewer))
                    last_step = when
                    when += _days(rng.randint(3, 15))
            action.status = status
            action.version = 1 + len(steps)
            changed.append(_stamp(action, last_step, user if steps[-1] == "R" else reviewer))
        by_state = defaultdict(list)
        for action in changed:
            by_state[action.status, action.version].append(action.pk)
        for (status, version), pks in sorted(by_state.items()):
            RemediationAction.objects.filter(pk__in=pks).update(status=status, version=version)
        # The actions' history rows were written as created (open): one more row for where they are now.
        _history_changed(RemediationAction, changed)
        _insert(RemediationReport, reports)
        _insert(EvidenceFile, evidence)
        _insert(RemediationReview, reviews)

    def make_self_inspections(self, units: list[Unit]) -> None:
        """Units not inspected directly: their self-inspection plan and report, the subordinate units
        they inspected (districts mostly at least the plan's minimum, a tenth not), a few findings."""
        rng = self.rng(self.year, "self")
        plan = self.plan
        departments = [u for u in units if u.kind != Unit.Kind.DISTRICT]
        districts = [u for u in units if u.kind == Unit.Kind.DISTRICT]
        state = dict(zip(departments, _allot(rng, len(departments), DEPARTMENT_SELF_INSPECTION), strict=True))
        state.update(zip(districts, _allot(rng, len(districts), DISTRICT_SELF_INSPECTION), strict=True))
        arrivals = _allot(rng, len(units), SELF_REPORT_ARRIVAL)
        minimum = plan.district_min_ratio / 100
        selfs, covered, findings, submissions = [], [], [], []
        first_day = plan.window_start - _days(90)
        for unit, arrival in zip(units, arrivals, strict=True):
            user = self.unit_user[unit.pk]
            if state[unit] == "not_started":
                continue
            si = SelfInspection(plan=plan, unit_id=unit.pk)
            selfs.append(si)
            subordinates = self.children[unit.pk]
            if subordinates:
                total = len(subordinates)
                need = math.ceil(minimum * total)
                if state[unit] == "below_minimum":
                    k = rng.randint(0, max(0, need - 1))
                else:
                    k = max(need, round(rng.uniform(minimum, 0.9) * total))
                span = (plan.self_inspection_deadline - _days(3) - first_day).days
                for sub in sorted(rng.sample(subordinates, min(k, total)), key=lambda u: u.code):
                    day = first_day + _days(rng.randint(0, span))
                    covered.append(
                        SelfInspectedUnit(self_inspection=si, unit_id=sub.pk, inspected_on=day, recorded_by_id=user)
                    )
            for _i in range(rng.choice([0, 1, 1, 2, 3])):
                area = rng.choice(self.areas)
                kind, bank = rng.choice([(Finding.Kind.STRENGTH, STRENGTHS), (Finding.Kind.SHORTCOMING, SHORTCOMINGS)])
                when = _at(plan.self_inspection_deadline - _days(rng.randint(5, 60)), 10)
                findings.append(
                    _stamp(
                        Finding(
                            plan=plan,
                            unit_id=unit.pk,
                            area=area,
                            kind=kind,
                            text=self._texts(rng, bank, area.number, 1)[0],
                            created_by_id=user,
                        ),
                        when,
                        user,
                    )
                )
            if rng.random() < 0.9:
                when = _at(plan.window_start - _days(rng.randint(0, 40)), rng.randint(8, 16))
                label = f"Kế hoạch tự kiểm tra CCHC năm {self.year} - {unit.short_name}"
                submissions.append(
                    self._submission(unit, user, Submission.Kind.SELF_INSPECTION_PLAN, when, None, label)
                )
            if arrival != "missing":
                deadline = plan.self_inspection_deadline
                day = (
                    deadline - _days(rng.randint(0, 20))
                    if arrival == "on_time"
                    else deadline + _days(rng.randint(1, 25))
                )
                when = _at(day, rng.randint(8, 16), rng.randint(0, 59))
                label = f"Báo cáo kết quả tự kiểm tra CCHC năm {self.year} - {unit.short_name}"
                submissions.append(
                    self._submission(unit, user, Submission.Kind.SELF_INSPECTION_REPORT, when, deadline, label)
                )
        SelfInspection.objects.bulk_create(selfs, batch_size=BATCH)
        SelfInspectedUnit.objects.bulk_create(covered, batch_size=BATCH)
        _insert(Finding, findings)
        _insert(Submission, submissions)

    def make_summary_note(self) -> None:
        from reports.models import SummaryNote

        coordinator = self.coordinators[0]
        note = SummaryNote(
            plan=self.plan,
            recommendations=RECOMMENDATIONS.format(ratio=self.plan.district_min_ratio),
            updated_by_id=coordinator,
        )
        _insert(SummaryNote, [_stamp(note, _at(self.plan.self_inspection_deadline + _days(20), 10), coordinator)])


def _history_changed(model, objs) -> None:
    """A "changed" history row for each object, in its current state, dated by its `_history_date`."""
    history_model = model.history.model
    rows = []
    tracked = history_model.tracked_fields
    for obj in objs:
        rows.append(
            history_model(
                history_date=obj._history_date,
                history_user=obj._history_user,
                history_type="~",
                **{f.attname: getattr(obj, f.attname) for f in tracked},
            )
        )
    history_model.objects.bulk_create(rows, batch_size=BATCH)


def _appendix_values(rng: random.Random, district: bool) -> dict[str, int]:
    """One unit's appendix figures, consistent with the plan's rules (parts never above their total)."""
    size = 3 if district else 1
    tthc = rng.randint(120, 420)
    online_services = rng.randint(int(0.3 * tthc), int(0.8 * tthc))
    full = rng.randint(0, online_services)
    in_person = rng.randint(800, 6000) * size
    online = int(in_person * rng.uniform(0.2, 1.2))
    post = int(in_person * rng.uniform(0, 0.05))
    received = in_person + online + post + rng.randint(0, in_person // 20)
    early = int(received * rng.uniform(0.3, 0.6))
    late = int(received * rng.uniform(0, 0.03))
    pending = int(received * rng.uniform(0.01, 0.06))
    on_time = received - early - late - pending
    sent = rng.randint(1500, 9000) * size
    incoming = rng.randint(2000, 12000) * size
    return {
        "tthc_total": tthc,
        "tthc_one_stop": rng.randint(int(0.85 * tthc), tthc),
        "received_in_person": in_person,
        "received_online": online,
        "received_post": post,
        "received_total": received,
        "resolved_early": early,
        "resolved_on_time": on_time,
        "resolved_late": late,
        "pending": pending,
        "apology_letters": rng.randint(late // 2, late),
        "online_full": full,
        "online_partial": online_services - full,
        "online_dossiers": online,
        "online_payments": int(online * rng.uniform(0.1, 0.6)),
        "docs_sent_total": sent,
        "docs_sent_electronic": int(sent * rng.uniform(0.85, 1)),
        "docs_digitally_signed": int(sent * rng.uniform(0.8, 1)),
        "docs_received_total": incoming,
        "docs_received_electronic": int(incoming * rng.uniform(0.85, 1)),
        "digitised_dossiers": int(received * rng.uniform(0.2, 0.9)),
        "digitised_results": int(received * rng.uniform(0.1, 0.8)),
    }


# --- Entry point, counts and digest ----------------------------------------------------------


def generate(options: Options, *, log=lambda message: None) -> Result:
    """Check the database, then (in one transaction) load the registry and generate every year."""
    started = time.monotonic()
    rows = registry_rows(options.scale)
    codes = {row["code"] for row in rows}
    if check_database(options, codes) == "done":
        return Result("unchanged", time.monotonic() - started, model_counts())
    with transaction.atomic():
        replaced = plans_delete(options.years) if options.force else []
        if replaced:
            log(f"Deleted the existing plans of {', '.join(map(str, replaced))} with everything under them.")
        ensure_role_groups()
        created = _load_units(options.scale, rows)
        log(f"Units: {created} created, {len(rows) - created} already there.")
        gen = _Generator(options, codes)
        layouts = [gen.layout(year, last=i == len(options.years) - 1) for i, year in enumerate(options.years)]
        gen.make_users(max(lay.groups for lay in layouts))
        log(f"Accounts: {gen.new_users} created.")
        visited: set[int] = set()
        for lay in layouts:
            step = time.monotonic()
            visited |= gen.make_year(lay, visited)
            log(f"Plan {lay.year}: {lay.visits} visits by {lay.groups} group(s), {time.monotonic() - step:.1f} s.")
    return Result("generated", time.monotonic() - started, model_counts(), replaced)


COUNTED = [
    Unit,
    User,
    InspectionPlan,
    ContentArea,
    Criterion,
    TeamMember,
    Inspection,
    Reschedule,
    Submission,
    AppendixValue,
    PaperCopyReceipt,
    SelfInspection,
    SelfInspectedUnit,
    ChecklistAnswer,
    Finding,
    EvidenceFile,
    Conclusion,
    ConclusionArea,
    ConclusionRevision,
    RemediationAction,
    RemediationReport,
    RemediationReview,
]


def model_counts() -> dict[str, int]:
    """Rows per model in the whole database (units by kind, actions by status)."""
    from reports.models import SummaryNote

    counts = {}
    for model in COUNTED + [SummaryNote]:
        counts[model.__name__] = model.objects.count()
        if model is Unit:
            for kind, n in Unit.objects.order_by().values_list("kind").annotate(n=Count("pk")):
                counts[f"Unit[{kind}]"] = n
        if model is RemediationAction:
            for status, n in RemediationAction.objects.order_by().values_list("status").annotate(n=Count("pk")):
                counts[f"RemediationAction[{status}]"] = n
        if model is Conclusion:
            for status, n in Conclusion.objects.order_by().values_list("status").annotate(n=Count("pk")):
                counts[f"Conclusion[{status}]"] = n
    return counts


def _plain(value):
    """Dates and times as ISO text (datetimes in UTC), so that SQLite and PostgreSQL agree."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def dataset_digest() -> str:
    """SHA-256 of the data's natural content (codes, usernames, dates, texts, statuses; never primary
    keys or creation timestamps): equal for two runs with the same seed, whatever the database."""
    lines = []
    add = lines.append
    for row in Unit.objects.values_list(
        "code", "kind", "name", "short_name", "parent__code", "sort_order", "is_active"
    ):
        add(("U", *row))
    for row in User.objects.values_list("username", "first_name", "last_name", "unit__code", "is_staff", "position"):
        add(("A", *row))
    for row in User.groups.through.objects.values_list("user__username", "group__name"):
        add(("AG", *row))
    for row in InspectionPlan.objects.values_list(
        "year", "number", "title", "status", "issue_date", "window_start", "window_end", "team__decision_number"
    ):
        add(("P", *row))
    for row in InspectionPlan.directly_inspected_units.through.objects.values_list(
        "inspectionplan__year", "unit__code"
    ):
        add(("PD", *row))
    for row in TeamMember.objects.values_list("team__plan__year", "user__username", "role", "position", "agency__code"):
        add(("T", *row))
    visit = ("inspection__plan__year", "inspection__unit__code")
    for row in Inspection.objects.values_list(
        "plan__year", "unit__code", "date", "start_time", "end_time", "place", "status", "scheduled_on"
    ):
        add(("V", *row))
    for row in Inspection.members.through.objects.values_list(*visit, "teammember__user__username"):
        add(("VM", *row))
    for row in Inspection.checked_divisions.through.objects.values_list(*visit, "unit__code"):
        add(("VD", *row))
    for row in Reschedule.objects.values_list(
        *visit, "old_date", "new_date", "reason", "changed_by__username", "changed_at"
    ):
        add(("R", *row))
    for row in Submission.objects.values_list(
        "plan__year", "unit__code", "kind", "uploaded_at", "due_date", "original_name", "sha256", "size"
    ):
        add(("S", *row))
    for row in AppendixValue.objects.values_list("plan__year", "unit__code", "figure__code", "value"):
        add(("AV", *row))
    for row in PaperCopyReceipt.objects.values_list(*visit, "count", "received_on"):
        add(("PC", *row))
    for row in ChecklistAnswer.objects.values_list(*visit, "desk_unit__code", "item__order", "answer", "note"):
        add(("K", *row))
    for row in Finding.objects.values_list(
        "plan__year",
        "unit__code",
        "inspection__date",
        "area__number",
        "criterion__order",
        "kind",
        "text",
        "created_by__username",
        "checklist_answer__desk_unit__code",
    ):
        add(("F", *row))
    for row in EvidenceFile.objects.values_list(
        "finding__unit__code", "remediation_report__action__unit__code", "original_name", "uploaded_at", "sha256"
    ):
        add(("E", *row))
    for row in Conclusion.objects.values_list(*visit, "status", "version", "general_assessment"):
        add(("C", *row))
    for row in ConclusionArea.objects.values_list(
        "conclusion__inspection__unit__code", "area__number", "strengths", "shortcomings", "causes"
    ):
        add(("CA", *row))
    for unit, number, snapshot, issued_at, reason in ConclusionRevision.objects.values_list(
        "conclusion__inspection__unit__code", "number", "snapshot", "issued_at", "reopen_reason"
    ):
        add(("CR", unit, number, json.dumps(snapshot, sort_keys=True, ensure_ascii=False), issued_at, reason))
    for row in RemediationAction.objects.values_list("unit__code", "text", "deadline", "status", "version"):
        add(("RA", *row))
    for row in RemediationReport.objects.values_list("action__unit__code", "action__text", "text", "submitted_at"):
        add(("RR", *row))
    for row in RemediationReview.objects.values_list("action__unit__code", "decision", "comment", "reviewed_at"):
        add(("RV", *row))
    for row in SelfInspectedUnit.objects.values_list(
        "self_inspection__plan__year", "self_inspection__unit__code", "unit__code", "inspected_on"
    ):
        add(("SI", *row))
    digest = hashlib.sha256()
    for line in sorted(repr(tuple(_plain(value) for value in line)) for line in lines):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()
