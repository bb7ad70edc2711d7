// The output folder writer (src/report/write.cc): mizani replaces or removes
// only the files its manifest (kOutputManifest) lists, refuses any folder
// holding anything else before it writes, and writes all-or-nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mizani/error.h"
#include "mizani/report.h"
#include "test_support.h"

namespace mizani {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void Put(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// The error code of `action`, and its message in `message`; kOk when it returns.
template <typename Action>
ErrorCode CodeOf(Action action, std::string* message) {
  try {
    action();
  } catch (const Error& error) {
    *message = error.what();
    return error.code();
  }
  return ErrorCode::kOk;
}

// The manifest's file lines (its comment lines left out).
std::vector<std::string> ManifestLines(const fs::path& folder) {
  std::vector<std::string> lines;
  std::istringstream in(Slurp(folder / kOutputManifest));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.front() != '#') lines.push_back(line);
  }
  return lines;
}

// Every entry of `folder`, relative, sorted.
std::vector<std::string> Listing(const fs::path& folder) {
  std::vector<std::string> entries;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    entries.push_back(entry.path().lexically_relative(folder).generic_string());
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

const std::vector<OutputFile> kFirst = {{"report.md", "# one\n"}, {"tables/a.csv", "x\n1\n"}};
const std::vector<OutputFile> kSecond = {{"report.md", "# two\n"}, {"b.csv", "y\n2\n"}};

TEST(OutputFolder, WritesTheFilesAndAManifestListingExactlyThem) {
  const fs::path out = fs::path(testing::MakeTempDir("manifest_new")) / "out";
  WriteOutputFolder(out.string(), kFirst);
  EXPECT_EQ(Slurp(out / "report.md"), "# one\n");
  EXPECT_EQ(Slurp(out / "tables/a.csv"), "x\n1\n");
  EXPECT_EQ(ManifestLines(out), (std::vector<std::string>{"report.md", "tables/a.csv"}));
  EXPECT_EQ(Listing(out),
            (std::vector<std::string>{kOutputManifest, "report.md", "tables", "tables/a.csv"}));
  // Nothing is left beside it (the staging folder is renamed into place).
  EXPECT_EQ(Listing(out.parent_path()).size(), Listing(out).size() + 1);
}

TEST(OutputFolder, ReplacesItsOwnEarlierOutputWhole) {
  const fs::path out = fs::path(testing::MakeTempDir("manifest_replace")) / "out";
  WriteOutputFolder(out.string(), kFirst);
  WriteOutputFolder(out.string(), kSecond);
  // The first run's files are gone because its manifest listed them.
  EXPECT_EQ(Listing(out), (std::vector<std::string>{kOutputManifest, "b.csv", "report.md"}));
  EXPECT_EQ(Slurp(out / "report.md"), "# two\n");
  EXPECT_EQ(Listing(out.parent_path()),
            (std::vector<std::string>{"out", "out/" + std::string(kOutputManifest), "out/b.csv",
                                      "out/report.md"}));
}

TEST(OutputFolder, AUserFileBesideAnEarlierOutputIsNeverDeleted) {
  for (const std::string user_file : {"notes.txt", "tables/mine.csv", ".hidden"}) {
    const fs::path out = fs::path(testing::MakeTempDir("manifest_user")) / "out";
    WriteOutputFolder(out.string(), kFirst);
    Put(out / user_file, "precious");
    std::string message;
    EXPECT_EQ(CodeOf([&] { CheckOutputFolder(out.string()); }, &message), ErrorCode::kOutputFailed)
        << user_file;
    EXPECT_NE(message.find(user_file), std::string::npos) << message;
    EXPECT_NE(message.find("did not write"), std::string::npos) << message;
    EXPECT_EQ(CodeOf([&] { WriteOutputFolder(out.string(), kSecond); }, &message),
              ErrorCode::kOutputFailed);
    EXPECT_EQ(Slurp(out / user_file), "precious");
    EXPECT_EQ(Slurp(out / "report.md"), "# one\n") << "the earlier output is kept as it was";
  }
}

TEST(OutputFolder, AFolderWithoutAManifestIsRefusedUnlessEmpty) {
  const fs::path root = testing::MakeTempDir("manifest_foreign");
  const fs::path empty = root / "empty";
  fs::create_directories(empty);
  WriteOutputFolder(empty.string(), kFirst);
  EXPECT_EQ(Slurp(empty / "report.md"), "# one\n");

  const fs::path foreign = root / "foreign";
  Put(foreign / "report.md", "the user's own report");
  std::string message;
  EXPECT_EQ(CodeOf([&] { WriteOutputFolder(foreign.string(), kFirst); }, &message),
            ErrorCode::kOutputFailed);
  EXPECT_EQ(Slurp(foreign / "report.md"), "the user's own report");
  EXPECT_EQ(Listing(foreign), (std::vector<std::string>{"report.md"}));
}

TEST(OutputFolder, AListedNameThatIsASymlinkIsRefusedAndItsTargetKept) {
  const fs::path root = testing::MakeTempDir("manifest_symlink");
  const fs::path out = root / "out";
  WriteOutputFolder(out.string(), kFirst);
  Put(root / "elsewhere/data.csv", "keep me");
  fs::remove(out / "report.md");
  fs::create_directory_symlink(root / "elsewhere", out / "report.md");
  std::string message;
  EXPECT_EQ(CodeOf([&] { WriteOutputFolder(out.string(), kSecond); }, &message),
            ErrorCode::kOutputFailed);
  EXPECT_EQ(Slurp(root / "elsewhere/data.csv"), "keep me");
}

TEST(OutputFolder, AFileInPlaceOfTheFolderIsRefused) {
  const fs::path out = fs::path(testing::MakeTempDir("manifest_file")) / "out";
  Put(out, "a file, not a folder");
  std::string message;
  EXPECT_EQ(CodeOf([&] { WriteOutputFolder(out.string(), kFirst); }, &message),
            ErrorCode::kOutputFailed);
  EXPECT_NE(message.find("not a folder"), std::string::npos) << message;
  EXPECT_EQ(Slurp(out), "a file, not a folder");
}

TEST(OutputFolder, UnsafeFileNamesAreAProgrammingErrorAndWriteNothing) {
  const fs::path root = testing::MakeTempDir("manifest_unsafe");
  for (const std::string name : {"../escape.txt", ".manifest", "a//b", "", "tables/../x"}) {
    std::string message;
    EXPECT_EQ(CodeOf(
                  [&] {
                    WriteOutputFolder((root / "out").string(), {{name, "x"}});
                  },
                  &message),
              ErrorCode::kInternal)
        << name;
  }
  EXPECT_TRUE(Listing(root).empty());
}

}  // namespace
}  // namespace mizani
