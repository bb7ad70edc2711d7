// The report's tables as one Excel workbook (libxlsxwriter): a sheet per
// table with a units row, and a Sources sheet. Ministries share results as
// spreadsheets; the CSV files stay the machine-readable copy.
#include <fmt/format.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "mizani/error.h"
#include "mizani/report.h"

namespace mizani {

namespace {

namespace fs = std::filesystem;

// The unit a header states in its closing parentheses ("Exports (million
// US$)"), else the kind of value.
std::string UnitOf(const ReportColumn& column) {
  const std::string& name = column.name;
  const size_t open = name.rfind(" (");
  if (!name.empty() && name.back() == ')' && open != std::string::npos) {
    const std::string unit = name.substr(open + 2, name.size() - open - 3);
    return unit == "%" ? "percent" : unit;
  }
  switch (column.kind) {
    case ValueKind::kPercent:
      return "percent";
    case ValueKind::kNumber:
      return "number";
    case ValueKind::kText:
      break;
  }
  return "text";
}

// Excel sheet names: at most 31 characters, unique, none of []:*?/\.
std::string SheetName(const std::string& wanted, std::set<std::string>* taken) {
  std::string base;
  for (const char c : wanted) {
    base += std::string("[]:*?/\\").find(c) == std::string::npos ? c : '_';
  }
  base = base.substr(0, 31);
  std::string name = base;
  for (int suffix = 2; taken->contains(name); ++suffix) {
    const std::string tail = fmt::format("~{}", suffix);
    name = base.substr(0, 31 - tail.size()) + tail;
  }
  taken->insert(name);
  return name;
}

void Check(lxw_error status, const char* what) {
  if (status != LXW_NO_ERROR) {
    throw Error(ErrorCode::kOutputFailed,
                fmt::format("cannot write the workbook ({}): {}", what, lxw_strerror(status)));
  }
}

struct Listed {
  std::string sheet, caption, note;
};

struct Formats {
  lxw_format* bold;
  lxw_format* italic;
};

// One table as a sheet: caption, headers (row 3), units (row 4), data from
// row 5, the note under it.
Listed WriteSheet(lxw_workbook* workbook, const ReportTable& table, const Formats& formats,
                  std::set<std::string>* taken) {
  const std::string name = SheetName(table.name, taken);
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, name.c_str());
  worksheet_write_string(sheet, 0, 0, table.caption.c_str(), formats.bold);
  for (size_t col_idx = 0; col_idx < table.columns.size(); ++col_idx) {
    const auto col = static_cast<lxw_col_t>(col_idx);
    worksheet_write_string(sheet, 2, col, table.columns[col_idx].name.c_str(), formats.bold);
    worksheet_write_string(sheet, 3, col, UnitOf(table.columns[col_idx]).c_str(), formats.italic);
    worksheet_set_column(sheet, col, col, 16, nullptr);
  }
  for (size_t row_idx = 0; row_idx < table.rows.size(); ++row_idx) {
    const auto row = static_cast<lxw_row_t>(row_idx + 4);
    for (size_t col_idx = 0; col_idx < table.rows[row_idx].size(); ++col_idx) {
      const auto col = static_cast<lxw_col_t>(col_idx);
      const ReportCell& cell = table.rows[row_idx][col_idx];
      if (const auto* text = std::get_if<std::string>(&cell)) {
        worksheet_write_string(sheet, row, col, text->c_str(), nullptr);
      } else if (std::isfinite(std::get<double>(cell))) {
        // Full precision: the cell is the number, not its rounded display.
        worksheet_write_number(sheet, row, col, std::get<double>(cell), nullptr);
      }
    }
  }
  worksheet_freeze_panes(sheet, 4, 0);
  if (!table.note.empty()) {
    worksheet_write_string(sheet, static_cast<lxw_row_t>(table.rows.size() + 5), 0,
                           table.note.c_str(), formats.italic);
  }
  return {name, table.caption, table.note};
}

}  // namespace

std::string RenderWorkbook(const ReportDocument& doc) {
  // libxlsxwriter 1.1.4 (Debian 12) writes to a file only: a private temporary
  // file, read back and removed.
  std::error_code error;
  const fs::path path =
      fs::temp_directory_path(error) /
      fmt::format("mizani-workbook-{}-{}.xlsx", ::getpid(), reinterpret_cast<uintptr_t>(&doc));
  if (error) throw Error(ErrorCode::kOutputFailed, "no temporary folder for the workbook");
  lxw_workbook* workbook = workbook_new(path.string().c_str());
  if (workbook == nullptr) {
    throw Error(ErrorCode::kOutputFailed,
                fmt::format("cannot create the workbook {}", path.string()));
  }
  lxw_format* bold = workbook_add_format(workbook);
  format_set_bold(bold);
  lxw_format* italic = workbook_add_format(workbook);
  format_set_italic(italic);
  std::set<std::string> taken = {"Sources"};
  std::vector<Listed> listed;
  const Formats formats{bold, italic};
  for (const ReportSection& section : doc.sections) {
    for (const ReportBlock& block : section.blocks) {
      const auto* table = std::get_if<ReportTable>(&block);
      if (table != nullptr) listed.push_back(WriteSheet(workbook, *table, formats, &taken));
    }
  }
  // Tables too wide for the page are in the workbook all the same.
  for (const ReportTable& table : doc.download_tables) {
    listed.push_back(WriteSheet(workbook, table, formats, &taken));
  }
  lxw_worksheet* sources = workbook_add_worksheet(workbook, "Sources");
  worksheet_write_string(sources, 0, 0, doc.title.c_str(), bold);
  worksheet_write_string(sources, 1, 0, doc.subtitle.c_str(), nullptr);
  worksheet_write_string(sources, 2, 0, fmt::format("Generated {}", doc.generated_at).c_str(),
                         nullptr);
  worksheet_write_string(sources, 4, 0, "sheet", bold);
  worksheet_write_string(sources, 4, 1, "table", bold);
  worksheet_write_string(sources, 4, 2, "sources and notes", bold);
  worksheet_set_column(sources, 0, 0, 24, nullptr);
  worksheet_set_column(sources, 1, 2, 60, nullptr);
  for (size_t idx = 0; idx < listed.size(); ++idx) {
    const auto row = static_cast<lxw_row_t>(idx + 5);
    worksheet_write_string(sources, row, 0, listed[idx].sheet.c_str(), nullptr);
    worksheet_write_string(sources, row, 1, listed[idx].caption.c_str(), nullptr);
    worksheet_write_string(sources, row, 2, listed[idx].note.c_str(), nullptr);
  }
  // Assumptions and data sources stated in the document.
  lxw_row_t row = static_cast<lxw_row_t>(listed.size() + 6);
  for (const ReportSection& section : doc.sections) {
    for (const ReportBlock& block : section.blocks) {
      const auto* list = std::get_if<AssumptionList>(&block);
      if (list == nullptr) continue;
      for (const auto& [key, value] : list->items) {
        worksheet_write_string(sources, row, 0, key.c_str(), nullptr);
        worksheet_write_string(sources, row, 1, value.c_str(), nullptr);
        ++row;
      }
    }
  }
  const lxw_error status = workbook_close(workbook);
  std::string bytes;
  if (status == LXW_NO_ERROR) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    bytes = buffer.str();
  }
  fs::remove(path, error);
  Check(status, path.string().c_str());
  if (bytes.empty()) throw Error(ErrorCode::kOutputFailed, "the workbook came back empty");
  return bytes;
}

}  // namespace mizani
