"""Process maps: the internal process of a procedure (TTHC), as a YAML file in process_maps/.

One file per procedure. What a file holds (every text in Vietnamese)::

    procedure:
      code: "1.001193"              # the national code of the procedure (quoted: it is text)
      name: Đăng ký khai sinh
      field: Hộ tịch
      time_limit: {working_days: 0, cutoff: "15:00"}   # 0: same day; cutoff optional
      fee: Miễn lệ phí nếu đăng ký đúng hạn
      online: partly                # fully, partly or none
      process_document: QT-07       # the internal process document (a QT in document control)
      legal_bases: [L-60-2014-QH13, NĐ-123-2015]       # external documents, by code
      forms: [BM-01-QT-07]          # the procedure's forms (BM documents), by code
      requirements:                 # what the citizen brings, as posted at the one-stop shop
        - Tờ khai đăng ký khai sinh theo mẫu
    roles:                          # the lanes of the diagram: who does the steps
      one_stop: Công chức Bộ phận Một cửa
      civil_status: Công chức Tư pháp - Hộ tịch
    steps:                          # in their order
      - id: receive
        name: Tiếp nhận, kiểm tra hồ sơ
        role: one_stop
        allowance: {hours: 2}       # working hours, or {days: N} working days
        produces: BM-01-QT-06       # optional: the record or form the step produces
    branches:                       # optional
      supplement: {from: receive, produces: BM-02-QT-06}   # supplement needed: back to the citizen
      refused: {from: receive, produces: BM-03-QT-06}      # refused, with the reason

`load(text, source)` reads a file into a `ProcessMap` or raises `MapError` naming the file, the
line and what is wrong. Rules that need document control (the form codes exist) are checked by
`check_codes`, given the codes that exist. A working day holds `HOURS_PER_DAY` working hours: the
step allowances of a process add up to no more than its statutory limit (a same-day procedure
has one working day).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re

import yaml

HOURS_PER_DAY = 8
ONLINE_LEVELS = ("fully", "partly", "none")
BRANCHES = ("supplement", "refused")
_ID = re.compile(r"[a-z][a-z0-9_]*\Z")
_CUTOFF = re.compile(r"([01]\d|2[0-3]):[0-5]\d\Z")


class MapError(ValueError):
    """A process map that cannot be loaded: `source` (the file), `line` (1-based, or None) and
    `problem` in words. `step` names the step concerned, when there is one."""

    def __init__(self, source, line, problem, step=None):
        self.source, self.line, self.problem, self.step = source, line, problem, step
        where = f"{source}, dòng {line}" if line else str(source)
        super().__init__(f"{where}: {problem}")


@dataclasses.dataclass(frozen=True)
class Step:
    id: str
    name: str
    role: str
    hours: int | None = None  # the allowance in working hours, or
    days: int | None = None  # in working days
    produces: str = ""
    line: int | None = None

    @property
    def allowance_hours(self) -> int:
        return self.hours if self.hours is not None else self.days * HOURS_PER_DAY


@dataclasses.dataclass(frozen=True)
class Branch:
    kind: str  # supplement or refused
    after: str  # the id of the step it leaves from
    produces: str = ""
    line: int | None = None


@dataclasses.dataclass(frozen=True)
class ProcessMap:
    source: str
    code: str
    name: str
    field: str
    working_days: int  # the statutory limit; 0 for same-day procedures
    cutoff: str | None  # "HH:MM", or None for no cut-off hour
    fee: str
    online: str
    process_document: str
    legal_bases: tuple
    forms: tuple
    requirements: tuple
    roles: dict  # role id -> its name
    steps: tuple
    branches: tuple

    @property
    def limit_hours(self) -> int:
        return max(self.working_days, 1) * HOURS_PER_DAY

    @property
    def allowance_hours(self) -> int:
        return sum(step.allowance_hours for step in self.steps)

    def form_codes(self) -> set:
        """Every form code the map names: the procedure's forms and what steps and branches produce."""
        return {
            *self.forms,
            *(s.produces for s in self.steps if s.produces),
            *(b.produces for b in self.branches if b.produces),
        }

    def content(self) -> dict:
        """What the map says, without where it was read from: the canonical form that is stored,
        compared and hashed (a change of comments or layout in the file is no change)."""
        value = dataclasses.asdict(self)
        value.pop("source")
        for part in (*value["steps"], *value["branches"]):
            part.pop("line")
        return value

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.content(), ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    @classmethod
    def from_content(cls, content: dict, source="") -> ProcessMap:
        """A map from its stored content (the inverse of content())."""
        value = dict(content)
        value["steps"] = tuple(Step(**s) for s in value["steps"])
        value["branches"] = tuple(Branch(**b) for b in value["branches"])
        for key in ("legal_bases", "forms", "requirements"):
            value[key] = tuple(value[key])
        return cls(source=source, **value)


# --- reading -----------------------------------------------------------------------------------


class _Reader:
    """Turns the YAML node tree into values, keeping each value's line for the messages."""

    def __init__(self, source):
        self.source = source

    def fail(self, node, problem, step=None):
        raise MapError(self.source, node.start_mark.line + 1 if node is not None else None, problem, step)

    def mapping(self, node, what, required=(), optional=()):
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} phải là một bảng khóa: giá trị")
        found = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in (*required, *optional):
                allowed = ", ".join((*required, *optional))
                self.fail(key_node, f"{what}: khóa không được biết “{key}” (các khóa được dùng: {allowed})")
            if key in found:
                self.fail(key_node, f"{what}: khóa “{key}” được viết hai lần")
            found[key] = value_node
        for key in required:
            if key not in found:
                self.fail(node, f"{what}: thiếu khóa “{key}”")
        return found

    def text(self, node, what, empty_ok=False):
        if not isinstance(node, yaml.ScalarNode) or node.tag.endswith((":null", ":map", ":seq")):
            self.fail(node, f"{what} phải là một đoạn văn bản")
        value = str(node.value).strip()
        if not value and not empty_ok:
            self.fail(node, f"{what} không được để trống")
        return value

    def integer(self, node, what, minimum=0):
        if not isinstance(node, yaml.ScalarNode) or not re.fullmatch(r"\d+", str(node.value).strip()):
            self.fail(node, f"{what} phải là một số nguyên không âm")
        value = int(node.value)
        if value < minimum:
            self.fail(node, f"{what} phải từ {minimum} trở lên")
        return value

    def texts(self, node, what):
        if node is None:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} phải là một danh sách")
        return tuple(self.text(item, what) for item in node.value)


def load(text: str, source: str = "<map>") -> ProcessMap:
    """The process map a YAML text holds, or MapError (file, line, what is wrong)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise MapError(source, mark.line + 1 if mark else None, f"không đọc được YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise MapError(source, None, f"không đọc được YAML: {error}") from None
    if root is None:
        raise MapError(source, None, "tệp trống")
    r = _Reader(source)
    top = r.mapping(root, "Tệp", required=("procedure", "roles", "steps"), optional=("branches",))
    p = r.mapping(
        top["procedure"],
        "procedure",
        required=("code", "name", "field", "time_limit", "online", "process_document"),
        optional=("fee", "legal_bases", "forms", "requirements"),
    )
    limit = r.mapping(p["time_limit"], "time_limit", required=("working_days",), optional=("cutoff",))
    working_days = r.integer(limit["working_days"], "time_limit.working_days")
    cutoff = None
    if "cutoff" in limit:
        cutoff = r.text(limit["cutoff"], "time_limit.cutoff")
        if not _CUTOFF.match(cutoff):
            r.fail(limit["cutoff"], f"time_limit.cutoff “{cutoff}” phải là giờ dạng HH:MM (ví dụ 15:00)")
    online = r.text(p["online"], "procedure.online")
    if online not in ONLINE_LEVELS:
        r.fail(p["online"], f"procedure.online “{online}” phải là một trong: {', '.join(ONLINE_LEVELS)}")

    roles_node = top["roles"]
    if not isinstance(roles_node, yaml.MappingNode) or not roles_node.value:
        r.fail(roles_node, "roles phải liệt kê ít nhất một vai trò (mã: tên)")
    roles = {}
    for key_node, value_node in roles_node.value:
        key = r.text(key_node, "Mã vai trò")
        if not _ID.match(key):
            r.fail(key_node, f"Mã vai trò “{key}” chỉ gồm chữ thường không dấu, số và dấu gạch dưới")
        roles[key] = r.text(value_node, f"Tên vai trò “{key}”")

    steps_node = top["steps"]
    if not isinstance(steps_node, yaml.SequenceNode) or not steps_node.value:
        r.fail(steps_node, "steps phải liệt kê ít nhất một bước")
    steps = []
    for number, node in enumerate(steps_node.value, 1):
        what = f"Bước {number}"
        s = r.mapping(node, what, required=("id", "name", "allowance"), optional=("role", "produces"))
        step_id = r.text(s["id"], f"{what}: id")
        what = f"Bước {number} “{step_id}”"
        if not _ID.match(step_id):
            r.fail(s["id"], f"{what}: id chỉ gồm chữ thường không dấu, số và dấu gạch dưới", step_id)
        if any(step_id == other.id for other in steps):
            r.fail(s["id"], f"{what}: id trùng với một bước trước", step_id)
        if "role" not in s or not str(s["role"].value or "").strip():
            r.fail(s.get("role", node), f"{what}: chưa có vai trò chịu trách nhiệm (role)", step_id)
        role = r.text(s["role"], f"{what}: role")
        if role not in roles:
            r.fail(s["role"], f"{what}: vai trò “{role}” không có trong roles ({', '.join(roles)})", step_id)
        allowance = r.mapping(s["allowance"], f"{what}: allowance", optional=("hours", "days"))
        if len(allowance) != 1:
            r.fail(
                s["allowance"],
                f"{what}: allowance ghi một trong hai: hours (giờ làm việc) hoặc days (ngày làm việc)",
                step_id,
            )
        hours = r.integer(allowance["hours"], f"{what}: allowance.hours", 1) if "hours" in allowance else None
        days = r.integer(allowance["days"], f"{what}: allowance.days", 1) if "days" in allowance else None
        produces = r.text(s["produces"], f"{what}: produces") if "produces" in s else ""
        steps.append(
            Step(step_id, r.text(s["name"], f"{what}: name"), role, hours, days, produces, node.start_mark.line + 1)
        )

    branches = []
    if "branches" in top:
        b_node = r.mapping(top["branches"], "branches", optional=BRANCHES)
        for kind in BRANCHES:
            if kind not in b_node:
                continue
            b = r.mapping(b_node[kind], f"branches.{kind}", required=("from",), optional=("produces",))
            after = r.text(b["from"], f"branches.{kind}.from")
            if after not in {step.id for step in steps}:
                r.fail(b["from"], f"branches.{kind}: bước “{after}” không có trong steps")
            produces = r.text(b["produces"], f"branches.{kind}.produces") if "produces" in b else ""
            branches.append(Branch(kind, after, produces, b_node[kind].start_mark.line + 1))

    process = ProcessMap(
        source=source,
        code=r.text(p["code"], "procedure.code"),
        name=r.text(p["name"], "procedure.name"),
        field=r.text(p["field"], "procedure.field"),
        working_days=working_days,
        cutoff=cutoff,
        fee=r.text(p["fee"], "procedure.fee", empty_ok=True) if "fee" in p else "",
        online=online,
        process_document=r.text(p["process_document"], "procedure.process_document"),
        legal_bases=r.texts(p.get("legal_bases"), "procedure.legal_bases"),
        forms=r.texts(p.get("forms"), "procedure.forms"),
        requirements=r.texts(p.get("requirements"), "procedure.requirements"),
        roles=roles,
        steps=tuple(steps),
        branches=tuple(branches),
    )
    _check_allowances(process, steps_node)
    return process


def _check_allowances(process, steps_node):
    if process.allowance_hours <= process.limit_hours:
        return
    # name the step at which the running total passes the limit
    total = 0
    for step in process.steps:
        total += step.allowance_hours
        if total > process.limit_hours:
            limit = f"{process.working_days} ngày làm việc" if process.working_days else "trong ngày (1 ngày làm việc)"
            raise MapError(
                process.source,
                step.line,
                f"Bước “{step.id}”: thời gian các bước cộng đến đây là {_hours_words(total)}, "
                f"vượt thời hạn giải quyết theo quy định ({limit} = {process.limit_hours} giờ làm việc)",
                step.id,
            )


def _hours_words(hours):
    days, rest = divmod(hours, HOURS_PER_DAY)
    if not rest:
        return f"{days} ngày làm việc"
    return f"{days} ngày {rest} giờ làm việc" if days else f"{rest} giờ làm việc"


def check_codes(process: ProcessMap, *, forms=frozenset(), external=frozenset(), procedures=frozenset()):
    """MapError for the first code the map names that document control does not hold: a form
    (`forms`: codes of form documents), a legal basis (`external`), the process document
    (`procedures`)."""
    if process.process_document not in procedures:
        raise MapError(process.source, None, f"Không có quy trình “{process.process_document}” trong hệ thống tài liệu")
    for code in process.legal_bases:
        if code not in external:
            raise MapError(
                process.source, None, f"Không có văn bản bên ngoài “{code}” (căn cứ pháp lý) trong hệ thống tài liệu"
            )
    for code in process.forms:
        if code not in forms:
            raise MapError(process.source, None, f"Không có biểu mẫu “{code}” trong hệ thống tài liệu")
    for part in (*process.steps, *process.branches):
        if part.produces and part.produces not in forms:
            name = f"Bước “{part.id}”" if isinstance(part, Step) else f"Nhánh “{part.kind}”"
            raise MapError(
                process.source,
                part.line,
                f"{name}: biểu mẫu “{part.produces}” không có trong hệ thống tài liệu",
                getattr(part, "id", None),
            )


def cutoff_time(process: ProcessMap) -> dt.time | None:
    return dt.time.fromisoformat(process.cutoff) if process.cutoff else None
