// The CSV reader under `mpirun -np K` (ReadOptions::communicator,
// src/io/csv_shares.h): each rank parses its share of the records and the
// table is gathered on every rank, or (keep_share) each rank keeps its
// share, with the whole file's text levels. Checked against the same file read by
// one process (every rank reads it alone too): equal bit for bit (values,
// missing values, text levels in the same order, codes), on files where
// the shares see different things: a column that turns to text only in the
// last part of the file, quoted fields with the delimiter, escaped quotes
// and line breaks inside, missing values, files with fewer records than
// ranks. A malformed record in a late share must give every rank the
// single-process error, row and line. Exit 0 when all hold.
#include <fmt/format.h>
#include <stdlib.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "mizani/communicator.h"
#include "mizani/error.h"
#include "mizani/read.h"
#include "round_bytes.h"

namespace {

// Rank 0 makes a fresh folder; every rank learns its name.
std::string SharedFolder(mizani::Communicator& comm) {
  std::string name;
  if (comm.rank() == 0) {
    char pattern[] = "/tmp/mizani_read_mpi_XXXXXX";
    if (mkdtemp(pattern) == nullptr) std::abort();
    name = pattern;
  }
  return comm.Allgatherv(name)[0];
}

// Rank 0 writes; the reduction after it is the barrier.
void WriteShared(mizani::Communicator& comm, const std::string& path, const std::string& text) {
  if (comm.rank() == 0) std::ofstream(path, std::ios::binary) << text;
  std::vector<int64_t> barrier{0};
  comm.AllreduceSum(std::span<int64_t>(barrier));
}

bool SameBits(double left, double right) {
  return std::bit_cast<uint64_t>(left) == std::bit_cast<uint64_t>(right) ||
         (std::isnan(left) && std::isnan(right));
}

// Differences between two tables, described; empty when equal.
std::string Compare(const mizani::Table& shared, const mizani::Table& whole) {
  if (shared.num_rows != whole.num_rows) {
    return fmt::format("{} rows against {}", shared.num_rows, whole.num_rows);
  }
  if (shared.columns.size() != whole.columns.size()) return "column counts differ";
  for (size_t col_idx = 0; col_idx < whole.columns.size(); ++col_idx) {
    const mizani::Column& left = shared.columns[col_idx];
    const mizani::Column& right = whole.columns[col_idx];
    if (left.name != right.name || left.type != right.type) {
      return fmt::format("column {}: name or type differs", right.name);
    }
    if (left.levels != right.levels) return fmt::format("column {}: levels differ", right.name);
    if (left.codes != right.codes) return fmt::format("column {}: codes differ", right.name);
    if (left.num.size() != right.num.size()) return fmt::format("column {}: sizes", right.name);
    for (size_t row_idx = 0; row_idx < right.num.size(); ++row_idx) {
      if (!SameBits(left.num[row_idx], right.num[row_idx])) {
        return fmt::format("column {} row {}: {} against {}", right.name, row_idx + 1,
                           left.num[row_idx], right.num[row_idx]);
      }
    }
  }
  return "";
}

// Rows [first, first + count) of `whole`, text levels and codes as they
// are: what a rank's share must be (ReadOptions::keep_share).
mizani::Table SliceOf(const mizani::Table& whole, size_t first, size_t count) {
  mizani::Table slice;
  slice.source = whole.source;
  slice.num_rows = count;
  for (const mizani::Column& column : whole.columns) {
    mizani::Column part;
    part.name = column.name;
    part.type = column.type;
    part.levels = column.levels;
    if (column.type == mizani::ColumnType::kNumeric) {
      part.num.assign(column.num.begin() + static_cast<std::ptrdiff_t>(first),
                      column.num.begin() + static_cast<std::ptrdiff_t>(first + count));
    } else {
      part.codes.assign(column.codes.begin() + static_cast<std::ptrdiff_t>(first),
                        column.codes.begin() + static_cast<std::ptrdiff_t>(first + count));
    }
    slice.columns.push_back(std::move(part));
  }
  return slice;
}

// A rank's share (keep_share) against the whole table: its rows are the
// slice of the file it starts at, with the whole file's text levels, and
// the shares tile the file in rank order. A read that fell back to the
// whole file (not a share) must equal it.
std::string CompareShare(mizani::Communicator& comm, const mizani::Table& share,
                         const mizani::Table& whole) {
  if (!share.is_share) return Compare(share, whole);
  if (share.share_first_row + share.num_rows > whole.num_rows) return "a share past the end";
  std::string problem = Compare(share, SliceOf(whole, share.share_first_row, share.num_rows));
  // Rank r's share starts where rank r - 1's ends; together they cover the file.
  std::vector<int64_t> starts(static_cast<size_t>(comm.size()), 0), counts = starts;
  starts[static_cast<size_t>(comm.rank())] = static_cast<int64_t>(share.share_first_row);
  counts[static_cast<size_t>(comm.rank())] = static_cast<int64_t>(share.num_rows);
  comm.AllreduceSum(std::span<int64_t>(starts));
  comm.AllreduceSum(std::span<int64_t>(counts));
  int64_t next = 0;
  for (size_t rank = 0; rank < starts.size(); ++rank) {
    if (starts[rank] != next && problem.empty())
      problem = fmt::format("rank {}'s share starts at row {}, not {}", rank, starts[rank], next);
    next += counts[rank];
  }
  if (next != static_cast<int64_t>(whole.num_rows) && problem.empty())
    problem = fmt::format("the shares hold {} rows of {}", next, whole.num_rows);
  return problem;
}

// A panel of `rows` records whose shares differ: `code` is a number until
// 80% of the rows, then text; `name` quotes a comma, and (with `newlines`)
// a line break, every 97th row; `value` is missing as NA or empty now and
// then; `note` holds an escaped quote.
std::string Panel(int rows, bool newlines) {
  std::string text = "exporter,importer,year,value,code,name,note\n";
  for (int row = 0; row < rows; ++row) {
    const int exporter = row / 400;
    const int importer = (row / 20) % 20;
    std::string value = fmt::format("{}", 0.125 * row + 1.0 / (row + 3));
    if (row % 53 == 0) value = "NA";
    if (row % 89 == 0) value = "";
    const std::string code =
        row < rows * 4 / 5 ? fmt::format("{}", row % 7) : fmt::format("X{}", row % 11);
    std::string name = fmt::format("\"C{:03d}\"", importer);
    if (row % 97 == 0) name = newlines ? "\"Korea,\nRep.\"" : "\"Korea, Rep.\"";
    const std::string note = row % 31 == 0 ? "\"12\"\" pipe\"" : "plain";
    text += fmt::format("E{:03d},I{:02d},{},{},{},{},{}\n", exporter, importer, 1990 + row % 20,
                        value, code, name, note);
  }
  return text;
}

int Run(mizani::Communicator& comm) {
  const std::string folder = SharedFolder(comm);
  int failures = 0;
  int checks = 0;
  auto report = [&](const std::string& what, const std::string& problem) {
    ++checks;
    if (problem.empty()) return;
    ++failures;
    std::fprintf(stderr, "FAIL rank %d, %s: %s\n", comm.rank(), what.c_str(), problem.c_str());
  };
  mizani::ReadOptions alone;
  mizani::ReadOptions together;
  together.communicator = &comm;

  struct Case {
    std::string name;
    std::string text;
    bool share_path;  // whether the shares must have been used (no fallback)
  };
  const std::vector<Case> cases = {
      {"panel", Panel(60000, false), true},
      {"line breaks in quotes", Panel(60000, true), false},
      {"two records", "a,b\n1,x\n2,y\n", true},
      {"one record", "a,b\n1,\"x\"\n", true},
      {"header only", "a,b\n", true},
      {"blank lines and CRLF", "a,b\r\n1,x\r\n\r\n2,y\r\n3,\r\n", true},
  };
  for (const Case& test_case : cases) {
    const std::string path = fmt::format("{}/{}.csv", folder, &test_case - cases.data());
    WriteShared(comm, path, test_case.text);
    const int64_t gathers_before = comm.stats().allgather_calls;
    const mizani::Table shared = mizani::ReadCsv(path, together);
    const bool used_shares = comm.stats().allgather_calls > gathers_before;
    const mizani::Table whole = mizani::ReadCsv(path, alone);
    report(test_case.name, Compare(shared, whole));
    if (test_case.share_path && comm.size() > 1 && !used_shares) {
      report(test_case.name, "the shares were not used");
    }
    // Each rank keeping its share (estimate --by).
    mizani::ReadOptions kept = together;
    kept.keep_share = true;
    const mizani::Table share = mizani::ReadCsv(path, kept);
    report(test_case.name + ", shares kept", CompareShare(comm, share, whole));
    if (test_case.share_path && comm.size() > 1 && !share.is_share) {
      report(test_case.name + ", shares kept", "the shares were not kept");
    }
  }
  // Only the file's text column and a numeric one, as `estimate` asks.
  {
    const std::string path = folder + "/columns.csv";
    WriteShared(comm, path, Panel(20000, false));
    mizani::ReadOptions some_alone;
    some_alone.columns = {"value", "exporter", "code"};
    mizani::ReadOptions some_together = some_alone;
    some_together.communicator = &comm;
    report("chosen columns",
           Compare(mizani::ReadCsv(path, some_together), mizani::ReadCsv(path, some_alone)));
  }
  // A malformed record three quarters in: the same error on every rank.
  {
    std::string text = Panel(40000, false);
    size_t line_start = 0;
    for (int line = 0; line < 30000; ++line) line_start = text.find('\n', line_start) + 1;
    text.insert(text.find('\n', line_start), ",extra");
    const std::string path = folder + "/malformed.csv";
    WriteShared(comm, path, text);
    auto message = [&](const mizani::ReadOptions& options) {
      try {
        mizani::ReadCsv(path, options);
        return std::string("no error");
      } catch (const mizani::Error& error) {
        return fmt::format("code {}: {}", static_cast<int>(error.code()), error.what());
      }
    };
    const std::string shared = message(together);
    const std::string whole = message(alone);
    report("malformed record", shared == whole && whole.find("row 30000") != std::string::npos
                                   ? ""
                                   : fmt::format("'{}' against '{}'", shared, whole));
  }
  WriteShared(comm, folder + "/done", "");
  if (comm.rank() == 0) std::filesystem::remove_all(folder);
  if (comm.rank() == 0) {
    std::printf("%s: shared CSV read, %d check(s) per rank, %d failed on rank 0\n",
                comm.Describe().c_str(), checks, failures);
  }
  std::vector<int64_t> total{failures};
  comm.AllreduceSum(std::span<int64_t>(total));
  return total[0] == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const auto comm = mizani::StartCommunicator(&argc, &argv, mizani::testing::RoundBytesForTest());
  return Run(*comm);
}
