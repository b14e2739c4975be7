"""The drawn process (qms.processes.diagram): one lane per role, one box per step with its name,
allowance and form, the branches dashed with their labels, the title with the limits, text
escaped, the same bytes for the same map; and the PNG the Word file takes. No app needed."""

import io
import math
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image, ImageFont

from qms.processes import diagram, maps

KHAI_SINH = (Path(__file__).parents[2] / "process_maps" / "1.001193-dang-ky-khai-sinh.yaml").read_text("utf-8")
FONTS = Path(__file__).parents[2] / "qms" / "static" / "fonts"
SVG = "{http://www.w3.org/2000/svg}"

LONG = """\
procedure:
  code: "1.004227"
  name: Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu
  field: Đất đai
  time_limit: {working_days: 5}
  online: none
  process_document: QT-12
roles:
  one_stop: Công chức Bộ phận Tiếp nhận và Trả kết quả giải quyết thủ tục hành chính
  land: Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường
  office: Văn phòng HĐND và UBND xã
  unused: Người làm chứng không tham gia bước nào
  leader: Chủ tịch/Phó Chủ tịch UBND xã
steps:
  - id: receive
    name: Tiếp nhận, kiểm tra tính đầy đủ, hợp lệ của hồ sơ, viết Giấy tiếp nhận hồ sơ và hẹn trả kết quả,
      chuyển hồ sơ cho công chức chuyên môn
    role: one_stop
    allowance: {hours: 2}
    produces: BM-01-QT-06
  - id: check
    name: Kiểm tra hiện trạng sử dụng đất, xác nhận nguồn gốc và thời điểm sử dụng đất, tình trạng tranh chấp
    role: land
    allowance: {hours: 6}
  - {id: post, name: Niêm yết công khai kết quả kiểm tra tại trụ sở UBND xã, role: office, allowance: {hours: 4}}
  - {id: review, name: Tổng hợp ý kiến phản ánh, role: land, allowance: {hours: 2}, produces: BM-02-QT-12}
  - {id: draft, name: Dự thảo văn bản trình Chủ tịch UBND xã ký xác nhận, role: office, allowance: {hours: 2}}
  - {id: sign, name: "Xem xét, ký xác nhận", role: leader, allowance: {days: 1}}
  - id: return
    name: Trả kết quả giải quyết thủ tục hành chính cho tổ chức, cá nhân
    role: one_stop
    allowance: {hours: 2}
    produces: BM-06-QT-06
branches:
  supplement: {from: receive, produces: BM-02-QT-06}
  refused: {from: receive, produces: BM-03-QT-06}
"""


def one_step(name="Ký chứng thực", allowance="{hours: 2}", time_limit="{working_days: 0}", extra=""):
    return maps.load(
        f"""\
procedure: {{code: "2.000884", name: 'Chứng thực <&> "bản sao"', field: Chứng thực, time_limit: {time_limit},
  online: none, process_document: QT-10}}
roles: {{one_stop: 'Bộ phận <Một cửa> & "tiếp nhận"'}}
steps:
  - {{id: sign, name: '{name}', role: one_stop, allowance: {allowance}}}
{extra}""",
        "test.yaml",
    )


def parse(process):
    return etree.fromstring(diagram.svg(process).encode("utf-8"))


def groups(root, cls):
    return root.findall(f".//{SVG}g[@class='{cls}']")


def text_of(element):
    """Every text under `element`, a <text>'s wrapped lines (its tspans) joined by spaces."""
    return " | ".join(" ".join(t.itertext()) for t in element.iter(f"{SVG}text"))


def test_a_standalone_svg_document_sized_for_a_screen():
    text = diagram.svg(maps.load(KHAI_SINH, "ks.yaml"))
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = etree.fromstring(text.encode("utf-8"))
    width, height = int(root.get("width")), int(root.get("height"))
    assert root.get("viewBox") == f"0 0 {width} {height}"
    assert root.get("font-family") == "Times New Roman, Liberation Serif, serif"
    assert 1100 <= width <= 1600 and 400 <= height <= 900
    assert 1100 <= int(parse(maps.load(LONG, "long.yaml")).get("width")) <= 1700  # 7 steps
    sizes = [int(t.get("font-size")) for t in root.iter(f"{SVG}text")]
    assert min(sizes) >= 13
    assert all(float(r.get("width")) >= 150 for g in groups(root, "step") for r in g.iter(f"{SVG}rect"))


@pytest.mark.parametrize(
    ("text", "lanes"),
    [
        (KHAI_SINH, ["one_stop", "civil_status", "leader"]),
        # in the order the steps first use them; the unused role last
        (LONG, ["one_stop", "land", "office", "leader", "unused"]),
    ],
)
def test_one_lane_per_role_labelled_with_its_name(text, lanes):
    process = maps.load(text, "map.yaml")
    drawn = groups(parse(process), "lane")
    assert [g.get("data-role") for g in drawn] == lanes
    assert [text_of(g) for g in drawn] == [process.roles[role] for role in lanes]


@pytest.mark.parametrize("text", [KHAI_SINH, LONG])
def test_one_box_per_step_with_its_name_allowance_and_form(text):
    process = maps.load(text, "map.yaml")
    drawn = groups(parse(process), "step")
    assert [g.get("data-step") for g in drawn] == [step.id for step in process.steps]
    for number, (g, step) in enumerate(zip(drawn, process.steps, strict=True), 1):
        words = text_of(g)
        assert words.startswith(f"Bước {number} | {step.name} | ")
        allowance = f"{step.hours} giờ làm việc" if step.hours else f"{step.days} ngày làm việc"
        assert words.endswith(f" | {allowance}" + (f" | {step.produces}" if step.produces else ""))


def test_long_names_wrap_inside_their_box_and_the_box_grows():
    root = parse(maps.load(LONG, "long.yaml"))
    regular = ImageFont.truetype(str(FONTS / "LiberationSerif-Regular.ttf"), 15)
    heights = []
    for g in groups(root, "step"):
        rect = g.find(f"{SVG}rect")
        name = g.findall(f"{SVG}text")[1]
        lines = [t.text for t in name.iter(f"{SVG}tspan")]
        assert all(regular.getlength(line) <= float(rect.get("width")) - 16 for line in lines)
        heights.append((len(lines), float(rect.get("height"))))
    assert max(heights)[0] >= 5  # the first step's name takes several lines, none cut
    assert max(heights)[1] > min(heights)[1] + 4 * 15


def test_a_word_longer_than_a_box_is_broken_not_cut():
    word = "KhôngCóKhoảngTrắngNàoTrongTừNàyVìNóQuáDàiĐểVừaMộtDòng"
    g = groups(parse(one_step(name=f"Ký {word}")), "step")[0]
    lines = [t.text for t in g.findall(f"{SVG}text")[1].iter(f"{SVG}tspan")]
    assert len(lines) >= 3 and "".join(lines[1:]) == word


@pytest.mark.parametrize(
    ("time_limit", "allowance", "limit", "total"),
    [
        ('{working_days: 0, cutoff: "15:00"}', "{hours: 8}", "trong ngày (tiếp nhận trước 15:00)", "8 giờ làm việc"),
        ("{working_days: 0}", "{hours: 3}", "trong ngày", "3 giờ làm việc"),
        ("{working_days: 3}", "{hours: 10}", "3 ngày làm việc", "1 ngày 2 giờ làm việc"),
        ("{working_days: 3}", "{days: 2}", "3 ngày làm việc", "2 ngày làm việc"),
    ],
)
def test_the_title_gives_the_statutory_limit_and_the_total_of_the_steps(time_limit, allowance, limit, total):
    title = text_of(groups(parse(one_step(allowance=allowance, time_limit=time_limit)), "title")[0])
    assert title == (
        f'Chứng thực <&> "bản sao" (mã thủ tục 2.000884) | '
        f"Thời hạn giải quyết: {limit} · Tổng thời gian các bước: {total}"
    )


def test_the_branches_are_dashed_arrows_to_their_end_boxes():
    root = parse(maps.load(KHAI_SINH, "ks.yaml"))
    (supplement,) = groups(root, "branch supplement")
    (refused,) = groups(root, "branch refused")
    assert text_of(supplement) == "Công dân bổ sung | Yêu cầu bổ sung hồ sơ | BM-02-QT-06"
    assert text_of(refused) == "Từ chối giải quyết | BM-03-QT-06"
    dashed = [len(g.findall(f"{SVG}polyline[@stroke-dasharray]")) for g in (supplement, refused)]
    assert dashed == [2, 1]  # the supplement there and back
    colours = {g.find(f"{SVG}polyline").get("stroke") for g in (supplement, refused)}
    assert len(colours) == 2
    assert "Nhánh yêu cầu bổ sung hồ sơ" in text_of(groups(root, "legend")[0])
    assert "Nhánh từ chối giải quyết" in text_of(groups(root, "legend")[0])


def test_no_branch_no_dashes():
    root = parse(one_step())
    assert not root.findall(f".//{SVG}polyline[@stroke-dasharray]")
    assert "Nhánh" not in text_of(groups(root, "legend")[0])


def _box(g):
    rect = g.find(f"{SVG}rect")
    x, y = float(rect.get("x")), float(rect.get("y"))
    return x, y, x + float(rect.get("width")), y + float(rect.get("height"))


def test_both_branches_from_one_step_get_boxes_of_their_own():
    root = parse(maps.load(LONG, "long.yaml"))
    (a,) = groups(root, "branch supplement")
    (b,) = groups(root, "branch refused")
    assert _box(a)[2] < _box(b)[0]
    width = float(root.get("width"))
    assert all(_box(g)[2] <= width for g in (a, b, *groups(root, "step")))


def test_text_is_escaped():
    extra = "branches:\n  refused: {from: sign}\n"
    process = one_step(name='Ký <b>&amp;</b> "x"', extra=extra)
    text = diagram.svg(process)
    assert "<b>" not in text and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in text
    root = etree.fromstring(text.encode("utf-8"))
    assert root.find(f"{SVG}title").text == 'Chứng thực <&> "bản sao" (mã thủ tục 2.000884)'
    assert text_of(groups(root, "lane")[0]) == 'Bộ phận <Một cửa> & "tiếp nhận"'
    assert 'Ký <b>&amp;</b> "x"' in text_of(groups(root, "step")[0])


def test_the_same_map_draws_the_same_bytes():
    a, b = maps.load(KHAI_SINH, "a.yaml"), maps.load(KHAI_SINH, "b.yaml")
    assert diagram.svg(a) == diagram.svg(b)
    assert diagram.png(a) == diagram.png(b)


def test_the_png_is_the_same_drawing_at_twice_the_size():
    process = maps.load(KHAI_SINH, "ks.yaml")
    root = parse(process)
    width, height = int(root.get("width")), int(root.get("height"))
    image = Image.open(io.BytesIO(diagram.png(process)))
    assert image.format == "PNG" and image.mode == "RGB"
    assert image.size == (width * 2, height * 2)
    assert [round(d) for d in image.info["dpi"]] == [192, 192]
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20)}
    assert len(colours) > 50  # drawn, with anti-aliased text, not a blank page
    small = Image.open(io.BytesIO(diagram.png(process, scale=1.5)))
    assert small.size == (math.ceil(width * 1.5), math.ceil(height * 1.5))
