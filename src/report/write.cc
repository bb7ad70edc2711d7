// WriteReport: every output of a report, written all-or-nothing.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <variant>

#include "mizani/error.h"
#include "mizani/report.h"

namespace mizani {

namespace fs = std::filesystem;

namespace {

// Names become file names: keep them portable and unable to leave the folder.
bool IsSafeStem(const std::string& name) {
  if (name.empty() || name.size() > 100 || name.front() == '.' || name.front() == '-') return false;
  for (char character : name) {
    const bool allowed = (character >= 'a' && character <= 'z') ||
                         (character >= 'A' && character <= 'Z') ||
                         (character >= '0' && character <= '9') || character == '_' ||
                         character == '-' || character == '.';
    if (!allowed) return false;
  }
  return true;
}

[[noreturn]] void Fail(const std::string& what, const fs::path& path,
                       const std::error_code& error) {
  throw Error(ErrorCode::kOutputFailed,
              fmt::format("cannot {} {}: {}", what, path.string(), error.message()));
}

std::string UniqueSuffix() {
  std::random_device device;
  return fmt::format("{}-{:08x}", ::getpid(), device());
}

// The files of the report, rendered before anything touches the disk so that
// a rendering error (missing web assets, bad names) leaves no trace.
std::vector<std::pair<std::string, std::string>> RenderAll(
    const ReportDocument& doc, const std::string& basename,
    const std::vector<std::pair<std::string, std::string>>& extra_files) {
  if (!IsSafeStem(basename)) {
    throw Error(
        ErrorCode::kInternal,
        fmt::format("report file name '{}' must be letters, digits, '_', '-' or '.'", basename));
  }
  std::vector<std::pair<std::string, std::string>> files;
  files.emplace_back(basename + ".html", RenderHtml(doc));
  files.emplace_back(basename + ".md", RenderMarkdown(doc));
  files.emplace_back("report.json", RenderJson(doc));
  files.emplace_back(basename + ".xlsx", RenderWorkbook(doc));
  std::set<std::string> names;
  for (const std::string& taken :
       {basename + ".html", basename + ".md", basename + ".xlsx", std::string("report.json")}) {
    names.insert(taken);
  }
  for (const ReportSection& section : doc.sections) {
    for (const ReportBlock& block : section.blocks) {
      const auto* table = std::get_if<ReportTable>(&block);
      if (table == nullptr) continue;
      if (!IsSafeStem(table->name)) {
        throw Error(ErrorCode::kInternal,
                    fmt::format("table name '{}' cannot be a file name: use letters, digits, '_', "
                                "'-' or '.'",
                                table->name));
      }
      const std::string file_name = table->name + ".csv";
      if (!names.insert(file_name).second) {
        throw Error(ErrorCode::kInternal,
                    fmt::format("two report tables would both be written to {}", file_name));
      }
      // A table copied out of a demonstration must still say so: the badge
      // becomes a leading comment line (pandas: comment="#").
      const std::string preamble = doc.badge.empty() ? std::string() : "# " + doc.badge + "\n";
      files.emplace_back(file_name, preamble + RenderCsv(*table));
    }
  }
  for (const auto& [name, content] : extra_files) {
    if (!IsSafeStem(name) || !names.insert(name).second) {
      throw Error(ErrorCode::kInternal, fmt::format("extra report file '{}' is not a safe, "
                                                    "unique file name",
                                                    name));
    }
    files.emplace_back(name, content);
  }
  return files;
}

}  // namespace

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (out) out.close();
  if (!out) {
    throw Error(ErrorCode::kOutputFailed,
                fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
}

std::string ReportTimestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &utc);
  return text;
}

void WriteFolderAtomically(const std::string& folder, const std::string& marker,
                           const std::function<void(const std::string& staging)>& fill) {
  if (folder.empty()) throw Error(ErrorCode::kOutputFailed, "no output folder given");
  std::error_code error;
  fs::path target = fs::absolute(fs::path(folder), error).lexically_normal();
  if (error) Fail("resolve", folder, error);
  if (!target.has_filename()) target = target.parent_path();  // "out/" -> "out"
  const fs::path parent = target.parent_path();
  fs::create_directories(parent, error);
  if (error) Fail("create folder", parent, error);

  // Replacing a folder is only safe when it is ours: refuse to wipe a folder
  // of other files that happens to have the name given.
  const bool target_exists = fs::exists(fs::symlink_status(target, error));
  if (target_exists) {
    if (!fs::is_directory(fs::symlink_status(target, error))) {
      throw Error(
          ErrorCode::kOutputFailed,
          fmt::format("cannot write to {}: it exists and is not a folder", target.string()));
    }
    if (!fs::is_empty(target, error) && !fs::exists(target / marker, error)) {
      throw Error(ErrorCode::kOutputFailed,
                  fmt::format("cannot write to {}: the folder holds other files and no previous "
                              "output ({}); choose a new or empty folder",
                              target.string(), marker));
    }
  }

  const std::string suffix = UniqueSuffix();
  const fs::path staging = parent / fmt::format(".{}.tmp-{}", target.filename().string(), suffix);
  fs::create_directory(staging, error);
  if (error) Fail("create folder", staging, error);
  try {
    fill(staging.string());
    if (target_exists) {
      const fs::path previous =
          parent / fmt::format(".{}.old-{}", target.filename().string(), suffix);
      fs::rename(target, previous, error);
      if (error) Fail("replace", target, error);
      fs::rename(staging, target, error);
      if (error) {
        std::error_code restore_error;
        fs::rename(previous, target, restore_error);
        Fail("move the new output into", target, error);
      }
      fs::remove_all(previous, error);  // best effort: the new output is in place
    } else {
      fs::rename(staging, target, error);
      if (error) Fail("move the new output into", target, error);
    }
  } catch (...) {
    std::error_code cleanup_error;
    fs::remove_all(staging, cleanup_error);
    throw;
  }
}

void WriteReport(const ReportDocument& doc, const std::string& out_dir, const std::string& basename,
                 const std::vector<std::pair<std::string, std::string>>& extra_files) {
  if (out_dir.empty()) throw Error(ErrorCode::kOutputFailed, "no output folder given");
  const auto files = RenderAll(doc, basename, extra_files);
  WriteFolderAtomically(out_dir, "report.json", [&](const std::string& staging) {
    for (const auto& [name, content] : files)
      WriteFile((fs::path(staging) / name).string(), content);
  });
}

}  // namespace mizani
