"""The target-list template to download: an Excel workbook whose first sheet has the columns the
import reads, each with a bilingual hint, and a second sheet that explains them. No Flask."""

from __future__ import annotations

from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from assessment.core.enterprise import industries, size_classes, towns
from assessment.core.target_rows import LABELS, REQUIRED

# (column, width, hint in Chinese, hint in English); every column is text, so Excel keeps codes.
COLUMNS = (
    ("uscc", 24, "18位，必填", "18 characters, required"),
    ("name", 34, "与营业执照一致，必填", "as on the business licence, required"),
    ("town", 14, "如 浒山街道、周巷镇，必填", "e.g. 浒山街道, 周巷镇, required"),
    ("industry", 18, "见“说明”页的行业列表，必填", "see the list on the second sheet, required"),
    ("size", 10, "大型/中型/小型/微型，可不填", "大型/中型/小型/微型, optional"),
    ("employees", 12, "人，可代替规模", "people; may replace the size"),
    ("revenue_wan", 16, "上年营业收入，万元", "last year's revenue, 10,000 yuan"),
    ("contact_name", 12, "", ""),
    ("contact_phone", 16, "", ""),
    ("contact_email", 26, "用于发送提醒邮件", "reminders are emailed here"),
)
TITLE = "填报企业名单 Target list — 第2行为列名，请从第3行起填写 (row 2 names the columns; fill in from row 3)"


def _instructions(book: Workbook) -> None:
    sheet = book.create_sheet("说明 Notes")
    lines = [
        ("填报企业名单说明", "How to fill in the target list"),
        ("必填列：" + "、".join(LABELS[c].zh for c in REQUIRED),
         "Required columns: " + ", ".join(LABELS[c].en for c in REQUIRED)),
        ("统一社会信用代码请以文本格式填写（本模板已设为文本），不要用公式。",
         "Type credit codes as text (this template's columns are text); no formulas."),
        ("同一代码再次导入时更新该企业的信息。", "Importing the same code again updates that target."),
        ("", ""),
        ("镇街", "Towns / subdistricts"),
        *((t.zh, t.en) for t in towns()),
        ("", ""),
        ("行业", "Industries"),
        *((i.zh, i.en) for i in industries()),
        ("", ""),
        ("规模", "Sizes"),
        *((s.zh, s.en) for s in size_classes()),
    ]  # fmt: skip
    for zh, en in lines:
        sheet.append([zh, en])
    sheet.column_dimensions["A"].width = 60
    sheet.column_dimensions["B"].width = 60
    sheet["A1"].font = sheet["B1"].font = Font(bold=True)


def write_template(buffer: BinaryIO) -> None:
    """Write the template workbook to `buffer`."""
    book = Workbook()
    sheet = book.active
    sheet.title = "名单 Targets"
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].font = Font(bold=True, color="0B5CAB")
    sheet.append([LABELS[column].zh for column, *_ in COLUMNS])
    for position, (column, width, hint_zh, hint_en) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=position)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8F0FA")
        cell.alignment = Alignment(wrap_text=True)
        hint = f"{LABELS[column].en}" + (f"\n{hint_zh}\n{hint_en}" if hint_zh else "")
        cell.comment = Comment(hint, "慈溪企业数字化自评估")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = width
        for row in range(3, 1003):  # text format, so Excel never turns codes into numbers
            sheet.cell(row=row, column=position).number_format = "@"
    sheet.freeze_panes = "A3"
    _instructions(book)
    book.save(buffer)
