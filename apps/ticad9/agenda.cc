// The rest of the TICAD 9 agenda in `mizani demo`: the financing comparison,
// the rating model's view of Kenya and the product lines, each run through
// its engine's library API on the engine's own example file, so that the
// demo shows exactly what `mizani debt`, `mizani rate explain` and
// `mizani pe` would on the same files.
#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "mizani/error.h"
#include "ticad9/demo.h"

#ifndef MIZANI_EXAMPLES_DIR
#define MIZANI_EXAMPLES_DIR ""
#endif

namespace mizani {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFinancingFile = "kenya_financing.toml";
constexpr const char* kRatingFile = "africa_ratings.toml";
constexpr const char* kProductsFile = "kenya_japan_products.toml";

// The folders of ../shared/data each part reads (named in its skip note).
const std::vector<std::string> kFinancingData = {"fx_history", "kenya_debt", "imf_weo_2025apr",
                                                 "interest_rates"};
const std::vector<std::string> kRatingData = {"imf_weo_2025apr"};
const std::vector<std::string> kProductsData = {"baci_hs17_2020_zaf_partial_sample",
                                                "trade_elasticities"};

bool IsDir(const fs::path& path) {
  std::error_code error;
  return !path.empty() && fs::is_directory(path, error);
}

// The examples/ folder: given, beside the working folder (a fresh clone run
// from its root), beside the binary's folder (build/mizani), or the source
// tree this binary was built from.
fs::path ExamplesDir(const DemoOptions& options) {
  std::vector<fs::path> candidates;
  if (!options.examples_dir.empty()) return options.examples_dir;
  candidates.emplace_back("examples");
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) candidates.push_back(exe.parent_path().parent_path() / "examples");
  if (!std::string_view(MIZANI_EXAMPLES_DIR).empty()) candidates.emplace_back(MIZANI_EXAMPLES_DIR);
  for (const fs::path& candidate : candidates) {
    if (fs::is_regular_file(candidate / kFinancingFile, error)) return candidate;
  }
  return {};
}

// The shared data folder: given, or the folder of --data-dir that holds the
// engines' data (--data-dir names agtpa_yotov2016 or its csv/ subfolder, so
// its parent or grandparent). Kept relative when --data-dir was relative.
fs::path SharedDir(const DemoOptions& options) {
  if (!options.shared_dir.empty()) return options.shared_dir;
  if (options.data_dir.empty()) return {};
  fs::path path = fs::path(options.data_dir).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();
  for (int level = 0; level < 3 && !path.empty(); ++level) {
    for (const std::string& folder : {kRatingData[0], kProductsData[0], kFinancingData[0]}) {
      if (IsDir(path / folder)) return path;
    }
    path = path.parent_path();
  }
  return {};
}

// Why a part cannot run, or empty when it can.
std::string MissingInputs(const fs::path& examples, const std::string& file, const fs::path& shared,
                          const std::vector<std::string>& folders, bool synthetic) {
  std::error_code error;
  if (examples.empty() || !fs::is_regular_file(examples / file, error)) {
    return fmt::format(
        "Not run: the example file examples/{} was not found (run `mizani demo` from the "
        "repository root).",
        file);
  }
  if (shared.empty()) {
    return synthetic ? std::string(
                           "Not run: this part needs the real data in ../shared/data; run "
                           "`mizani demo --data-dir ../shared/data/agtpa_yotov2016`.")
                     : std::string(
                           "Not run: no folder of shared data (../shared/data) was found beside "
                           "--data-dir.");
  }
  std::string missing;
  for (const std::string& folder : folders) {
    if (!IsDir(shared / folder)) missing += (missing.empty() ? "" : ", ") + folder + "/";
  }
  if (!missing.empty()) {
    return fmt::format("Not run: its data are absent from the shared data folder ({}).", missing);
  }
  return {};
}

// Runs `body` unless the part's inputs are missing; a file the engine cannot
// read (kFileUnreadable) also skips the part, with the engine's message.
template <typename Body>
void RunPart(AgendaPart* part, const std::string& reason, const Body& body) {
  if (!reason.empty()) {
    part->skipped = reason;
    return;
  }
  try {
    body();
    part->ran = true;
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kFileUnreadable) throw;
    part->skipped = fmt::format("Not run: {}", error.what());
  }
}

}  // namespace

void RunAgenda(const DemoOptions& options, DemoRun* run) {
  auto progress = [&](const std::string& line) {
    if (!options.quiet && options.progress) options.progress(line);
  };
  const fs::path examples = ExamplesDir(options);
  const fs::path shared = SharedDir(options);
  const std::string shared_text = shared.string();

  DemoFinancing& financing = run->financing;
  financing.file = std::string("examples/") + kFinancingFile;
  RunPart(&financing,
          MissingInputs(examples, kFinancingFile, shared, kFinancingData, run->synthetic), [&] {
            progress("[E] financing: " + financing.file);
            finance::DebtOverrides overrides;
            overrides.data_dir = shared_text;
            const finance::DebtScenario scenario =
                finance::LoadDebtScenario((examples / kFinancingFile).string(), overrides);
            finance::DebtRunOptions run_options;
            run_options.threads = options.threads;
            run_options.progress = [&](const std::string& line) { progress("[E] " + line); };
            financing.outcome = finance::RunDebtScenario(scenario, run_options);
          });

  DemoRating& rating = run->rating;
  rating.file = std::string("examples/") + kRatingFile;
  RunPart(&rating, MissingInputs(examples, kRatingFile, shared, kRatingData, run->synthetic), [&] {
    progress("[F] ratings: " + rating.file + " (explain KEN)");
    rating::RateOverrides overrides;
    overrides.data_dir = shared_text;
    overrides.country = "KEN";
    rating.config = rating::LoadRateConfig((examples / kRatingFile).string(), overrides);
    rating.outcome = rating::RunRateExplain(
        rating.config, [&](const std::string& line) { progress("[F] " + line); });
    // The same model, fitted on the years before each test year and
    // predicting it: `mizani rate evaluate` for this agency.
    rating::RateConfig evaluate = rating.config;
    evaluate.evaluate_agencies = {evaluate.model.agency};
    rating.evaluation = rating::RunRateEvaluate(
        evaluate, [&](const std::string& line) { progress("[F] " + line); });
  });

  DemoProducts& products = run->products;
  products.file = std::string("examples/") + kProductsFile;
  RunPart(&products, MissingInputs(examples, kProductsFile, shared, kProductsData, run->synthetic),
          [&] {
            progress("[G] product lines: " + products.file);
            products.scenario =
                pe::LoadPeScenario((examples / kProductsFile).string(), shared_text);
            products.run = pe::RunPeScenario(
                products.scenario, [&](const std::string& line) { progress("[G] " + line); });
          });
  for (const auto* part :
       {static_cast<const AgendaPart*>(&financing), static_cast<const AgendaPart*>(&rating),
        static_cast<const AgendaPart*>(&products)}) {
    if (!part->ran) progress(fmt::format("{}: {}", part->file, part->skipped));
  }
}

}  // namespace mizani
