// Output folders written all-or-nothing with a manifest, and the report files.
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

void WriteFile(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (out) out.close();
  if (!out) {
    throw Error(ErrorCode::kOutputFailed,
                fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
  }
}

std::string UniqueSuffix() {
  std::random_device device;
  return fmt::format("{}-{:08x}", ::getpid(), device());
}

// The folder as an absolute path without a trailing separator ("out/" -> "out").
fs::path ResolveFolder(const std::string& folder) {
  if (folder.empty()) throw Error(ErrorCode::kOutputFailed, "no output folder given");
  std::error_code error;
  fs::path target = fs::absolute(fs::path(folder), error).lexically_normal();
  if (error) Fail("resolve", folder, error);
  if (!target.has_filename()) target = target.parent_path();
  return target;
}

// The entries a previous output may hold: the files its manifest lists, the
// folders above them and the manifest itself. Empty when there is no manifest.
std::set<std::string> ManifestEntries(const fs::path& target) {
  std::set<std::string> entries;
  std::ifstream in(target / kOutputManifest, std::ios::binary);
  if (!in) return entries;
  entries.insert(kOutputManifest);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') continue;
    for (fs::path path(line); !path.empty(); path = path.parent_path()) {
      entries.insert(path.generic_string());
    }
  }
  return entries;
}

// The nearest folder that exists at or above `path`.
fs::path ExistingAncestor(fs::path path) {
  std::error_code error;
  while (!path.empty() && !fs::exists(fs::symlink_status(path, error))) {
    if (path == path.parent_path()) break;
    path = path.parent_path();
  }
  return path;
}

std::string ManifestText(const std::vector<OutputFile>& files) {
  std::string text =
      "# Files written by mizani. mizani replaces this folder only while it holds\n"
      "# nothing but these files; add a file of your own and it will refuse.\n";
  for (const OutputFile& file : files) text += file.path + "\n";
  return text;
}

// A relative path of safe names ("report/report.html"): it cannot leave the
// folder or hide as a dot file.
void CheckOutputPath(const std::string& path) {
  size_t begin = 0;
  while (true) {
    const size_t end = path.find('/', begin);
    const std::string part = path.substr(begin, end == std::string::npos ? end : end - begin);
    if (!IsSafeStem(part)) {
      throw Error(
          ErrorCode::kInternal,
          fmt::format("output file name '{}' must be letters, digits, '_', '-' or '.'", path));
    }
    if (end == std::string::npos) return;
    begin = end + 1;
  }
}

}  // namespace

void CheckOutputFolder(const std::string& folder) {
  const fs::path target = ResolveFolder(folder);
  std::error_code error;
  const fs::file_status status = fs::symlink_status(target, error);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) {
      throw Error(
          ErrorCode::kOutputFailed,
          fmt::format("cannot write to {}: it exists and is not a folder", target.string()));
    }
    const std::set<std::string> ours = ManifestEntries(target);
    for (fs::recursive_directory_iterator entry(target, error), end; !error && entry != end;
         entry.increment(error)) {
      const std::string relative = entry->path().lexically_relative(target).generic_string();
      const bool listed = ours.count(relative) > 0 && !entry->is_symlink();
      if (listed) continue;
      throw Error(ErrorCode::kOutputFailed,
                  fmt::format("cannot write to {}: it holds {}, which mizani did not write "
                              "(not in its {}); mizani never replaces files it did not write: "
                              "move it or choose a new or empty folder",
                              target.string(), entry->path().string(), kOutputManifest));
    }
    if (error) Fail("list", target, error);
  }
  // The staging folder is made beside the target: probe that we may.
  const fs::path parent = ExistingAncestor(target.parent_path());
  const fs::path probe = parent / fmt::format(".mizani-probe-{}", UniqueSuffix());
  if (!fs::create_directory(probe, error) || error) {
    throw Error(ErrorCode::kOutputFailed,
                fmt::format("cannot write to {}: cannot create files in {}: {}", target.string(),
                            parent.string(), error ? error.message() : "exists"));
  }
  fs::remove(probe, error);
}

void WriteOutputFolder(const std::string& folder, const std::vector<OutputFile>& files) {
  for (const OutputFile& file : files) CheckOutputPath(file.path);
  CheckOutputFolder(folder);
  const fs::path target = ResolveFolder(folder);
  const fs::path parent = target.parent_path();
  std::error_code error;
  fs::create_directories(parent, error);
  if (error) Fail("create folder", parent, error);
  const bool target_exists = fs::exists(fs::symlink_status(target, error));

  const std::string suffix = UniqueSuffix();
  const fs::path staging = parent / fmt::format(".{}.tmp-{}", target.filename().string(), suffix);
  fs::create_directory(staging, error);
  if (error) Fail("create folder", staging, error);
  try {
    for (const OutputFile& file : files) {
      const fs::path path = staging / file.path;
      fs::create_directories(path.parent_path(), error);
      if (error) Fail("create folder", path.parent_path(), error);
      WriteFile(path, file.content);
    }
    WriteFile(staging / kOutputManifest, ManifestText(files));
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
      // Only files of the manifest were in it (checked above): best effort,
      // the new output is in place.
      fs::remove_all(previous, error);
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

std::vector<OutputFile> RenderReportFiles(
    const ReportDocument& doc, const std::string& basename,
    const std::vector<std::pair<std::string, std::string>>& extra_files) {
  if (!IsSafeStem(basename)) {
    throw Error(
        ErrorCode::kInternal,
        fmt::format("report file name '{}' must be letters, digits, '_', '-' or '.'", basename));
  }
  std::vector<OutputFile> files;
  files.push_back({basename + ".html", RenderHtml(doc)});
  files.push_back({basename + ".md", RenderMarkdown(doc)});
  files.push_back({basename + ".xlsx", RenderWorkbook(doc)});
  files.push_back({"report.json", RenderJson(doc)});
  std::set<std::string> names;
  for (const OutputFile& file : files) names.insert(file.path);
  // A table copied out of a demonstration must still say so: the badge
  // becomes a leading comment line (pandas: comment="#").
  const std::string preamble = doc.badge.empty() ? std::string() : "# " + doc.badge + "\n";
  auto add_table = [&](const ReportTable& table) {
    if (!IsSafeStem(table.name)) {
      throw Error(ErrorCode::kInternal,
                  fmt::format("table name '{}' cannot be a file name: use letters, digits, '_', "
                              "'-' or '.'",
                              table.name));
    }
    const std::string file_name = table.name + ".csv";
    if (!names.insert(file_name).second) {
      throw Error(ErrorCode::kInternal,
                  fmt::format("two report tables would both be written to {}", file_name));
    }
    files.push_back({file_name, preamble + RenderCsv(table)});
  };
  for (const ReportSection& section : doc.sections) {
    for (const ReportBlock& block : section.blocks) {
      if (const auto* table = std::get_if<ReportTable>(&block)) add_table(*table);
    }
  }
  for (const ReportTable& table : doc.download_tables) add_table(table);
  for (const auto& [name, content] : extra_files) {
    if (!IsSafeStem(name) || !names.insert(name).second) {
      throw Error(ErrorCode::kInternal, fmt::format("extra report file '{}' is not a safe, "
                                                    "unique file name",
                                                    name));
    }
    files.push_back({name, content});
  }
  return files;
}

void WriteReport(const ReportDocument& doc, const std::string& out_dir, const std::string& basename,
                 const std::vector<std::pair<std::string, std::string>>& extra_files) {
  if (out_dir.empty()) throw Error(ErrorCode::kOutputFailed, "no output folder given");
  WriteOutputFolder(out_dir, RenderReportFiles(doc, basename, extra_files));
}

std::string ReportTimestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &utc);
  return text;
}

}  // namespace mizani
