"""The process-map schema: a map that cannot be imported is refused with its file, line and step,
in words (qms.processes.maps)."""

from pathlib import Path

import pytest

from qms.processes import maps

MAPS = Path(__file__).parents[2] / "process_maps"

GOOD = """\
procedure:
  code: "2.000884"
  name: Chứng thực chữ ký
  field: Chứng thực
  time_limit: {working_days: 0, cutoff: "15:00"}
  fee: 10.000 đồng/trường hợp
  online: none
  process_document: QT-10
  forms: [BM-01-QT-10]
roles:
  one_stop: Công chức Bộ phận Một cửa
  leader: Chủ tịch/Phó Chủ tịch UBND xã
steps:
  - id: receive
    name: Tiếp nhận, kiểm tra giấy tờ
    role: one_stop
    allowance: {hours: 2}
    produces: BM-01-QT-06
  - id: sign
    name: Ký chứng thực
    role: leader
    allowance: {hours: 4}
  - id: return
    name: Trả kết quả, thu lệ phí
    role: one_stop
    allowance: {hours: 2}
branches:
  refused: {from: receive, produces: BM-03-QT-06}
"""


def refused(text, source="x.yaml"):
    with pytest.raises(maps.MapError) as caught:
        maps.load(text, source)
    return caught.value


def test_a_good_map_loads_with_its_steps_and_branches():
    process = maps.load(GOOD, "2.000884.yaml")
    assert [s.id for s in process.steps] == ["receive", "sign", "return"]
    assert process.working_days == 0 and process.cutoff == "15:00"
    assert process.allowance_hours == process.limit_hours == maps.HOURS_PER_DAY
    assert [(b.kind, b.after, b.produces) for b in process.branches] == [("refused", "receive", "BM-03-QT-06")]
    assert process.form_codes() == {"BM-01-QT-10", "BM-01-QT-06", "BM-03-QT-06"}


def test_the_digest_ignores_comments_and_layout_but_not_content():
    process = maps.load(GOOD, "a.yaml")
    relaid = maps.load("# một ghi chú\n" + GOOD.replace("{hours: 4}", "\n      hours: 4"), "b.yaml")
    assert relaid.digest == process.digest
    assert maps.load(GOOD.replace("{hours: 4}", "{hours: 3}"), "a.yaml").digest != process.digest
    assert maps.ProcessMap.from_content(process.content()).digest == process.digest


def test_allowances_beyond_the_statutory_limit_are_refused_naming_the_step():
    error = refused(GOOD.replace("{hours: 4}", "{days: 1}"), "2.000884.yaml")
    assert error.source == "2.000884.yaml" and error.step == "sign"
    assert error.line == GOOD.splitlines().index("  - id: sign") + 1
    assert "vượt thời hạn giải quyết" in str(error) and "2.000884.yaml, dòng" in str(error)


def test_a_step_without_a_responsible_role_is_refused():
    error = refused(GOOD.replace("    role: leader\n", ""))
    assert error.step == "sign" and "chưa có vai trò chịu trách nhiệm" in error.problem
    error = refused(GOOD.replace("    role: leader\n", "    role: chairman\n"))
    assert error.step == "sign" and "“chairman” không có trong roles" in error.problem


def test_unknown_form_codes_are_refused_naming_the_step():
    process = maps.load(GOOD.replace("produces: BM-01-QT-06", "produces: BM-09-QT-06"), "f.yaml")
    codes = {"forms": {"BM-01-QT-10", "BM-01-QT-06", "BM-03-QT-06"}, "external": set(), "procedures": {"QT-10"}}
    with pytest.raises(maps.MapError) as caught:
        maps.check_codes(process, **codes)
    assert caught.value.step == "receive" and "BM-09-QT-06" in caught.value.problem
    assert caught.value.line == GOOD.splitlines().index("  - id: receive") + 1
    maps.check_codes(maps.load(GOOD, "f.yaml"), **codes)  # the good map passes
    with pytest.raises(maps.MapError, match="QT-99"):
        maps.check_codes(maps.load(GOOD.replace("QT-10\n", "QT-99\n", 1), "f.yaml"), **codes)


@pytest.mark.parametrize(
    ("change", "line_of", "words"),
    [
        (("online: none", "online: level4"), "  online: level4", "procedure.online “level4”"),
        (('cutoff: "15:00"', 'cutoff: "3pm"'), "  time_limit:", "HH:MM"),
        (("  field: Chứng thực\n", ""), '  code: "2.000884"', "thiếu khóa “field”"),
        (("  fee:", "  phi:"), "  phi: 10.000 đồng/trường hợp", "khóa không được biết “phi”"),
        (("{hours: 2}\n    produces", "{hours: 0}\n    produces"), "    allowance: {hours: 0}", "từ 1 trở lên"),
        (("{hours: 4}", "{hours: 2, days: 1}"), "    allowance: {hours: 2, days: 1}", "một trong hai"),
        (("    name: Ký chứng thực\n", ""), "  - id: sign", "thiếu khóa “name”"),
        (("- id: sign", "- id: receive"), "  - id: receive", "trùng"),
        (("{from: receive,", "{from: nowhere,"), "  refused: {from: nowhere, produces: BM-03-QT-06}", "“nowhere”"),
        (
            ("roles:\n  one_stop: Công chức Bộ phận Một cửa\n  leader: Chủ tịch/Phó Chủ tịch UBND xã\n", "roles: {}\n"),
            "roles: {}",
            "ít nhất",
        ),
    ],
)
def test_schema_errors_name_the_line_and_what_is_wrong(change, line_of, words):
    text = GOOD.replace(*change)
    error = refused(text)
    assert words in error.problem
    assert text.splitlines()[error.line - 1].startswith(line_of)


def test_broken_yaml_and_empty_files_are_refused_in_words():
    error = refused("procedure: [unclosed\n")
    assert error.line and "không đọc được YAML" in error.problem
    assert "tệp trống" in refused("").problem


def test_every_shipped_map_loads():
    files = sorted(MAPS.glob("*.yaml"))
    assert files
    for file in files:
        process = maps.load(file.read_text(encoding="utf-8"), file.name)
        assert process.allowance_hours <= process.limit_hours, file.name
        assert file.name.startswith(process.code + "-"), file.name
