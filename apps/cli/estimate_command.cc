// `mizani estimate`: PPML or OLS with high-dimensional fixed effects.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "commands.h"
#include "environment.h"
#include "heap_pages.h"
#include "mizani/error.h"
#include "mizani/estimate.h"
#include "mizani/estimate_by.h"
#include "mizani/estimate_output.h"
#include "mizani/formula.h"
#include "mizani/machine.h"
#include "mizani/read.h"
#include "mizani/trace.h"
#include "output.h"

namespace mizani::cli {

namespace {

// Rank 0's traffic since `since` in collectives of one kind, under
// MIZANI_TRACE and several ranks (docs/distributed.md): `stage` names the
// part of the run ("reading: " or empty for the fit).
enum class Collective { kAllgather, kAllreduce, kAlltoall };
void TraceSent(const Communicator& comm, const char* stage, const CommunicationStats& since,
               Collective kind) {
  if (comm.size() <= 1 || comm.rank() != 0 || !TraceEnabled()) return;
  const CommunicationStats& now = comm.stats();
  int64_t bytes = now.allreduce_bytes - since.allreduce_bytes;
  int64_t calls = now.allreduce_calls - since.allreduce_calls;
  const char* name = "allreduce";
  if (kind == Collective::kAllgather) {
    bytes = now.allgather_bytes - since.allgather_bytes;
    calls = now.allgather_calls - since.allgather_calls;
    name = "allgather";
  } else if (kind == Collective::kAlltoall) {
    bytes = now.alltoall_bytes - since.alltoall_bytes;
    calls = now.alltoall_calls - since.alltoall_calls;
    name = "alltoall";
  }
  std::fprintf(stderr, "mizani: trace: %s: %srank 0 sent %lld bytes in %lld %s call(s)\n",
               comm.Describe().c_str(), stage, static_cast<long long>(bytes),
               static_cast<long long>(calls), name);
}

struct EstimateArgs {
  std::string data;
  std::string formula;
  std::string family = "ppml";
  std::vector<std::string> filters;
  std::string vcov;  // empty: cluster when --cluster is given, else hetero
  std::vector<std::string> cluster;
  std::string ssc = "stata";
  double tolerance = 1e-8;
  double fe_tolerance = 1e-10;
  int max_iterations = 100;
  int threads = 0;
  bool keep_singletons = false;
  bool no_separation = false;
  int separation_max_iterations = 200;
  std::string format = "table";
  std::string output = "-";
  std::string fe_output;
  std::vector<std::string> string_columns;
  std::string by;
  std::string encoding = "utf8";
};

// --by: one model per value, stacked. Exit code: the first failed group's
// error code, else 7 when some group did not converge, else 0; every
// group's result is written either way.
// Under MPI every rank reads the table, fits its share of the groups and
// receives the others'; rank 0 writes and warns, every rank returns the
// same code.
int RunBy(const EstimateArgs& args, const Table& table, const Formula& formula,
          const std::vector<RowFilter>& filters, const EstimateOptions& options, bool quiet,
          Communicator& comm, const CommunicationStats& read_stats) {
  const bool root = comm.rank() == 0;
  ByProgress progress;
  if (!quiet) {
    progress = [&args](size_t done, size_t total, const ByGroupFit& group) {
      std::fprintf(stderr, "mizani: %s = %s (%zu of %zu): %s\n", args.by.c_str(),
                   group.value.c_str(), done, total,
                   group.failed() ? group.error.c_str() : group.result.message.c_str());
    };
  }
  const EstimateByResult result =
      EstimateBy(table, formula, filters, options, args.by, progress, &comm);
  Trace("by: fits done");
  TraceSent(comm, "", read_stats, Collective::kAllgather);
  TraceSent(comm, "routing rows: ", read_stats, Collective::kAlltoall);
  std::string text;
  if (args.format == "json")
    text = EstimateByToJson(result);
  else if (args.format == "csv")
    text = EstimateByToCsv(result);
  else
    text = FormatEstimateByTable(result);
  if (root) WriteText(args.output, text);
  int code = 0;
  for (const ByGroupFit& group : result.groups) {
    if (group.failed()) {
      if (root)
        std::fprintf(stderr, "mizani: warning: %s = %s: %s\n", args.by.c_str(), group.value.c_str(),
                     group.error.c_str());
      if (code == 0 || code == static_cast<int>(ErrorCode::kNotConverged))
        code = static_cast<int>(group.error_code);
    } else if (!group.result.converged()) {
      if (root)
        std::fprintf(stderr, "mizani: warning: %s = %s: %s\n", args.by.c_str(), group.value.c_str(),
                     group.result.message.c_str());
      if (code == 0) code = static_cast<int>(ErrorCode::kNotConverged);
    }
  }
  return code;
}

// The projection's comparison switches (docs/cli.md): the library reads no
// environment, the command passes them in. Other values mean the default.
ProjectionOptions ProjectionOptionsFromEnvironment() {
  ProjectionOptions projection;
  const char* solver = std::getenv("MIZANI_FE_SOLVER");
  if (solver != nullptr && std::string_view(solver) == "jacobi") {
    projection.solver = FeSolver::kJacobi;
  } else if (solver != nullptr && std::string_view(solver) == "schur") {
    projection.solver = FeSolver::kSchur;
  }
  const char* simd = std::getenv("MIZANI_SIMD");
  if (simd != nullptr && std::string_view(simd) == "sse2") projection.simd = SimdKernels::kSse2;
  const char* gap_fill = std::getenv("MIZANI_GAP_FILL");
  if (gap_fill != nullptr && std::string_view(gap_fill) == "never") {
    projection.gap_fill = GapFill::kNever;
  } else if (gap_fill != nullptr && std::string_view(gap_fill) == "always") {
    projection.gap_fill = GapFill::kAlways;
  }
  const char* run_order = std::getenv("MIZANI_RUN_ORDER");
  if (run_order != nullptr && std::string_view(run_order) == "levels") {
    projection.run_order = RunOrder::kLevels;
  } else if (run_order != nullptr && std::string_view(run_order) == "components") {
    projection.run_order = RunOrder::kComponents;
  }
  return projection;
}

// The command's flags, into `args`.
void AddEstimateFlags(CLI::App& app, EstimateArgs& args) {
  app.add_option("-d,--data", args.data, "Data file: .csv, .csv.gz or Stata .dta")->required();
  app.add_option("-f,--formula", args.formula, "Model formula (fixest syntax)")->required();
  app.add_option("--family,--estimator", args.family, "ppml (Poisson PML, default) or ols")
      ->check(CLI::IsMember(ChoiceNames(FamilyNames())));
  app.add_option("--filter", args.filters, "Row filter (repeat; all must hold)");
  app.add_option("--vcov", args.vcov,
                 "Standard errors: iid, hetero (robust), cluster (default when --cluster is given)")
      ->check(CLI::IsMember(ChoiceNames(VcovNames())));
  app.add_option("--cluster", args.cluster,
                 "Cluster column(s); two or more: multi-way (Cameron-Gelbach-Miller)")
      ->delimiter(',');
  app.add_option("--ssc", args.ssc,
                 "Small-sample convention: stata (as Stata ppml/ppmlhdfe/regress and the Advanced "
                 "Guide, default), "
                 "fixest (R fixest defaults), none")
      ->check(CLI::IsMember(ChoiceNames(SmallSampleNames())));
  app.add_option("--tol", args.tolerance, "Convergence: relative change in deviance (default 1e-8)")
      ->check(PositiveFinite());
  app.add_option("--fe-tol", args.fe_tolerance, "Fixed-effect projection tolerance (default 1e-10)")
      ->check(PositiveFinite());
  app.add_option("--max-iter", args.max_iterations, "IRLS iteration limit (default 100)")
      ->check(WholeNumberAtLeast(1));
  app.add_option("--threads", args.threads, "Threads (default: one per CPU the process may use)")
      ->check(WholeNumberAtLeast(1));
  app.add_flag("--keep-singletons", args.keep_singletons,
               "Keep observations alone in a fixed-effect group");
  app.add_flag("--no-separation-check", args.no_separation,
               "Skip the ReLU separation check (PPML)");
  app.add_option("--separation-max-iter", args.separation_max_iterations,
                 "Regressions the separation check may take before it gives up with a warning "
                 "(default 200)")
      ->check(WholeNumberAtLeast(1));
  app.add_option("--format", args.format, "Output: table (default), json, csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  app.add_option("-o,--output", args.output, "Write the result here instead of stdout");
  app.add_option("--fe-output", args.fe_output,
                 "Write the fixed-effect estimates to this CSV file");
  app.add_option("--by", args.by,
                 "One model per value of this column (product, sector, year): results stacked in "
                 "one table, groups fitted concurrently");
  app.add_option("--encoding", args.encoding,
                 "Text encoding of the data: utf8 (default; other bytes are an error) or latin1 "
                 "(ISO 8859-1, converted)")
      ->check(CLI::Validator(
          [](const std::string& name) -> std::string {
            return ParseTextEncoding(name) ? std::string()
                                           : "unknown encoding '" + name + "': utf8 or latin1";
          },
          "utf8|latin1"));
  app.add_option("--string-columns", args.string_columns,
                 "Read these columns as text even if numeric")
      ->delimiter(',');
}

// The library's options from the flags (names from the library's tables,
// estimate.h; the same mapping and defaults as a scenario's [estimation]).
EstimateOptions MakeEstimateOptions(const EstimateArgs& args) {
  EstimateOptions options;
  options.family = *FindChoice(FamilyNames(), args.family);
  options.tolerance = args.tolerance;
  options.fe_tolerance = args.fe_tolerance;
  options.max_iterations = args.max_iterations;
  options.threads = args.threads;
  options.drop_singletons = !args.keep_singletons;
  options.check_separation = !args.no_separation;
  options.separation_max_iterations = args.separation_max_iterations;
  options.projection = ProjectionOptionsFromEnvironment();
  options.vcov.cluster = args.cluster;
  options.vcov.type =
      args.vcov.empty() ? DefaultVcov(!args.cluster.empty()) : *FindChoice(VcovNames(), args.vcov);
  // Asked for clustered errors without saying by what: robust errors in
  // their place would be a silent change of the model.
  if (options.vcov.type == VcovType::kCluster && args.cluster.empty()) {
    throw Error(ErrorCode::kUsage, "--vcov cluster needs --cluster COLUMN");
  }
  if (options.vcov.type != VcovType::kCluster && !args.cluster.empty()) {
    throw Error(ErrorCode::kUsage,
                fmt::format("--cluster {} conflicts with --vcov {}: drop one of them",
                            args.cluster.front(), args.vcov));
  }
  options.vcov.small_sample = *FindChoice(SmallSampleNames(), args.ssc);
  if (!args.by.empty() && !args.fe_output.empty())
    throw Error(ErrorCode::kUsage, "--fe-output cannot be combined with --by");
  return options;
}

// True when the ranks of one model (no --by) build the frame from their
// shares of the file (docs/distributed.md, "One model from shares"): always,
// but with MIZANI_MPI_GATHER=1, which has every rank gather the table, as
// before session 15 (for comparisons).
bool FrameFromShares(const EstimateArgs& args) {
  const char* gather = std::getenv("MIZANI_MPI_GATHER");
  if (gather != nullptr && std::string_view(gather) == "1") return false;
  return args.by.empty();
}

// Reads only the columns the model, the clusters, --by and the filters use.
// Under mpirun the ranks parse the file in shares and each keeps its share:
// with --by EstimateBy sends its rows to the ranks of their groups, for one
// model BuildModelFrame sends the frame's rows to the ranks that fit them
// (keep_share); or (FrameFromShares false) every rank gets the whole table
// (ReadOptions::communicator). Rank 0 traces what that sent.
Table ReadModelTable(const EstimateArgs& args, const Formula& formula, Communicator& comm) {
  ReadOptions read_options;
  if (comm.size() > 1) {
    read_options.communicator = &comm;
    read_options.keep_share = !args.by.empty() || FrameFromShares(args);
  }
  read_options.threads = args.threads;
  read_options.columns = ModelColumns(
      formula, args.cluster, args.filters,
      args.by.empty() ? std::vector<std::string>{} : std::vector<std::string>{args.by});
  read_options.columns_may_be_absent = true;
  read_options.string_columns = args.string_columns;
  read_options.encoding = *ParseTextEncoding(args.encoding);
  Table table = ReadTable(args.data, read_options);
  TraceSent(comm, "reading: ", CommunicationStats(), Collective::kAllgather);
  return table;
}

// Writes the result as --format asks; the exit code (7: not converged).
int WriteEstimate(const EstimateArgs& args, const EstimateResult& result) {
  std::string text;
  if (args.format == "json")
    text = EstimateToJson(result, false);
  else if (args.format == "csv")
    text = EstimateToCsv(result);
  else
    text = FormatEstimateTable(result);
  WriteText(args.output, text);
  if (!args.fe_output.empty()) WriteText(args.fe_output, FixedEffectsToCsv(result));
  if (!result.converged()) {
    std::fprintf(stderr, "mizani: warning: %s\n", result.message.c_str());
    return static_cast<int>(ErrorCode::kNotConverged);
  }
  return 0;
}

}  // namespace

Runner AddEstimateCommand(CLI::App& app, const GlobalFlags& flags) {
  auto args = std::make_shared<EstimateArgs>();
  app.footer(
      "Estimate a gravity model by PPML (default) or OLS with any number of fixed effects,\n"
      "projected out rather than expanded into dummies.\n\n"
      "Formula (fixest syntax):  trade ~ log(DIST) + CNTG + LANG + CLNY | exporter^year + "
      "importer^year\n"
      "  log(x) logs a regressor (rows with x <= 0 are dropped and counted); a:b multiplies "
      "columns;\n"
      "  after '|' each fixed effect is a column or an interaction a^b.\n"
      "Filters:  --filter \"exporter != importer\" --filter \"year in 1986:2006:4\"\n"
      "  (==, !=, <, <=, >, >= against a value or another column; 'in' a list a,b,c or a range "
      "first:last:step)\n\n"
      "Example (Advanced Guide, Table 1 column 4):\n"
      "  mizani estimate --data Chapter1Application1.dta \\\n"
      "    -f 'trade ~ log(DIST) + CNTG + LANG + CLNY | exporter^year + importer^year' \\\n"
      "    --filter 'exporter != importer' --filter 'year in 1986:2006:4' --cluster pair_id");
  AddEstimateFlags(app, *args);

  return [args, &flags]() -> int {
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    Formula formula = ParseFormula(args->formula);
    EstimateOptions options = MakeEstimateOptions(*args);
    Communicator& comm = *flags.comm;
    // Without --by, one model (PPML or OLS) is fitted by all ranks together,
    // each its shard of the rows (docs/distributed.md); with --by each rank
    // fits its share of the groups.
    const bool sharded = comm.size() > 1 && args->by.empty();
    if (sharded) options.communicator = &comm;
    // (A sharded run's other ranks are quiet.)
    const bool quiet = flags.quiet || (sharded && comm.rank() != 0);
    if (!quiet) {
      options.on_iteration = [&elapsed](int iteration, double deviance, double rel_change) {
        std::fprintf(stderr,
                     "mizani:   iteration %3d  deviance %.10g  relative change %.3g  (%.2f s)\n",
                     iteration, deviance, rel_change, elapsed());
      };
    }
    // How the process gets its pages (heap_pages.cc): huge pages off, or
    // the environment glibc read at start-up, which SetUpHugePages
    // may have set.
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    Trace(fmt::format(
        "start{}{}",
        HugePagesReason().empty() ? "" : fmt::format(" (huge pages {})", HugePagesReason()),
        tunables != nullptr ? fmt::format(" (GLIBC_TUNABLES={})", tunables) : ""));
    Trace(fmt::format("threads {} ({} CPU(s) available to the process)",
                      ResolveThreads(args->threads), ProcessorsAvailable()));
    if (comm.rank() == 0) WarnIfThreadsShareCpus(args->threads);
    if (!quiet) std::fprintf(stderr, "mizani: reading %s\n", args->data.c_str());
    Table table = ReadModelTable(*args, formula, comm);
    const CommunicationStats read_stats = comm.stats();
    if (!quiet) {
      std::fprintf(stderr, "mizani: %zu rows read%s (%.2f s); estimating %s\n", table.num_rows,
                   table.is_share ? " (this rank's share)" : "", elapsed(),
                   FamilyLabel(options.family));
    }
    std::vector<RowFilter> filters;
    for (const auto& text : args->filters) filters.push_back({text});
    if (!args->by.empty()) {
      return RunBy(*args, table, formula, filters, options, quiet, comm, read_stats);
    }
    // Build the model frame, then free the table before the fit: the frame
    // holds everything the solver needs (peak memory matters at 2.5M rows).
    Trace("table read");
    const bool from_share = table.is_share;
    ModelFrame frame = BuildModelFrame(std::move(table), formula, filters, options);
    Trace("model frame built");
    if (sharded && from_share) {
      TraceSent(comm, "levels: ", read_stats, Collective::kAllgather);
      TraceSent(comm, "routing rows: ", read_stats, Collective::kAlltoall);
    }
    EstimateResult result = Fit(std::move(frame), options);
    Trace("fit done");
    if (sharded) {
      // Every rank holds the whole result; rank 0 writes it.
      if (comm.rank() != 0)
        return result.converged() ? 0 : static_cast<int>(ErrorCode::kNotConverged);
      TraceSent(comm, "", read_stats, Collective::kAllreduce);
    }
    result.formula = formula.text;
    if (!quiet) std::fprintf(stderr, "mizani: %s (%.2f s)\n", result.message.c_str(), elapsed());
    return WriteEstimate(*args, result);
  };
}

}  // namespace mizani::cli
