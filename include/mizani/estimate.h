// PPML and OLS with high-dimensional fixed effects.
//
// Fixed effects are never expanded into dummies: each IRLS step projects the
// working outcome and the regressors off the fixed-effect space (weighted),
// by conjugate gradients on the fixed-effect normal equations with a
// diagonal (per-level) preconditioner; see src/estimate/hdfe/fe_projector.h.
// References: Santos Silva & Tenreyro (2006) for PPML; Correia, Guimarães &
// Zylkin (2020, Stata Journal 20(1)) for IRLS with HDFE and for the cleaning
// steps (all-zero groups, separation, singletons); Bergé (2018) for fixest.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mizani/error.h"
#include "mizani/filter.h"
#include "mizani/formula.h"
#include "mizani/table.h"
#include "mizani/termination.h"

namespace mizani {

// The estimator family: Poisson PML or Gaussian least squares. Each is one
// implementation of the family interface (src/estimate/family.h) registered
// in src/estimate/family.cc.
enum class Family { kPoisson, kGaussian };

enum class VcovType { kIid, kHetero, kCluster };

// Small-sample corrections (docs/estimation.md gives the formulas).
// kStata follows Stata's `ppml`/`ppmlhdfe` and `regress`, the convention of
// the Advanced Guide's tables: clustered V scaled by G/(G-1) for PPML, and by
// G/(G-1) (N-1)/(N-K) for OLS; robust by N/(N-1) for PPML and N/(N-K) for
// OLS; K counts regressors plus the rank of the fixed effects not nested in a
// cluster. kFixest follows R fixest's default ssc(adj = TRUE, fixef.K =
// "nested", cluster.adj = TRUE, cluster.df = "min"): clustered (N-1)/(N-K)
// G/(G-1) (G the smallest cluster count in multi-way), robust N/(N-K), iid
// (N-1)/(N-K), with K counting fixed-effect levels minus one per further
// dimension (fixest's rule, not the rank). kNone applies nothing.
enum class SmallSample { kStata, kFixest, kNone };

struct VcovOptions {
  VcovType type = VcovType::kCluster;
  std::vector<std::string> cluster;  // one or more columns (multi-way: CGM 2011)
  SmallSample small_sample = SmallSample::kStata;
};

// How the fixed-effect projection runs (src/estimate/hdfe/). Every choice
// gives the same estimates up to the order of floating-point sums; they exist
// for comparisons and benchmarks. The library reads no environment: the CLI
// sets these from MIZANI_FE_SOLVER, MIZANI_SIMD, MIZANI_GAP_FILL and
// MIZANI_RUN_ORDER (docs/cli.md).
enum class FeSolver {
  kAuto,    // the Schur path when the largest dimension's rows are contiguous
  kJacobi,  // CG on all levels with the diagonal preconditioner
  kSchur,   // eliminate the largest dimension, CG on the Schur complement
};
enum class SimdKernels {
  kAuto,  // the AVX kernel of the Schur pass where the processor has AVX
  kSse2,  // never the AVX kernel
};
// The Schur path's gap-filled segments (schur_projector.h): the conjugate-
// gradient passes over a panel whose runs miss a few years run over
// segments with the gaps filled by rows of weight zero.
enum class GapFill {
  kAuto,    // where the projector's cost model expects the passes to be faster
  kNever,   // the row layout's ids in every pass
  kAlways,  // wherever the runs allow it (tests)
};
// The order of the largest dimension's levels in the model frame, which
// the Schur path visits one after another (LevelVisitOrder in
// src/estimate/model_frame.cc): a two-way model's levels grouped by the
// components of the two dimensions' graph (a gravity model's years) keep a
// pass's coefficients in cache.
enum class RunOrder {
  kAuto,        // by component where the other dimension's coefficients outgrow the cache
  kLevels,      // the levels' own order (ids ascending)
  kComponents,  // by component in every two-way model with several (tests)
};
struct ProjectionOptions {
  FeSolver solver = FeSolver::kAuto;
  SimdKernels simd = SimdKernels::kAuto;
  GapFill gap_fill = GapFill::kAuto;
  RunOrder run_order = RunOrder::kAuto;
};

// The names users write for the choices above: one table each, read by the
// CLI (`estimate --family/--vcov/--ssc`), the scenario parser
// ([estimation] vcov/ssc) and the Python binding (family=, vcov=, ssc=), so
// a new name is one row here.
template <typename Enum>
struct NamedChoice {
  const char* name;
  Enum value;
};
std::span<const NamedChoice<Family>> FamilyNames();  // ppml, poisson, ols, gaussian
std::span<const NamedChoice<VcovType>> VcovNames();  // iid, hetero, robust, cluster, HC1, CRV1
std::span<const NamedChoice<SmallSample>> SmallSampleNames();  // stata, fixest, none
// The value called `name` in `choices`, if any.
template <typename Enum>
std::optional<Enum> FindChoice(std::span<const NamedChoice<Enum>> choices, std::string_view name) {
  for (const auto& choice : choices) {
    if (name == choice.name) return choice.value;
  }
  return std::nullopt;
}
// The names of `choices`, in table order (for usage messages).
template <typename Enum>
std::vector<std::string> ChoiceNames(std::span<const NamedChoice<Enum>> choices) {
  std::vector<std::string> names;
  for (const auto& choice : choices) names.emplace_back(choice.name);
  return names;
}
// The value called `name` in `choices`; Error(kUsage) "<what> must be one of
// ...; got '<name>'" otherwise (for front ends without a flag parser's check).
template <typename Enum>
Enum ParseChoice(std::span<const NamedChoice<Enum>> choices, std::string_view name,
                 std::string_view what) {
  if (const std::optional<Enum> value = FindChoice(choices, name)) return *value;
  std::string message = std::string(what) + " must be one of";
  for (const auto& choice : choices) message += std::string(" '") + choice.name + "',";
  message.back() = ';';
  throw Error(ErrorCode::kUsage, message + " got '" + std::string(name) + "'");
}
// A family's output name ("ppml": `estimator` in JSON), its GLM name
// ("poisson") and its label in tables ("PPML").
const char* FamilyKey(Family family);
const char* FamilyGlmName(Family family);
const char* FamilyLabel(Family family);
// The defaults both front ends apply: clustered standard errors when cluster
// columns are given, robust (hetero) otherwise; Stata's small-sample rule.
VcovType DefaultVcov(bool has_cluster);
inline constexpr SmallSample kDefaultSmallSample = SmallSample::kStata;

// Why observations were removed before or during estimation.
enum class DropReason {
  kMissing,         // a missing value in a column the model uses
  kFiltered,        // excluded by a row filter
  kNonPositiveLog,  // log() of a value <= 0
  kAllZeroGroup,    // in a fixed-effect group whose outcome is all zero (PPML)
  kSingleton,       // alone in a fixed-effect group
  kSeparated,       // separated by the regressors (ReLU method)
  kZeroWeight,      // weight of zero (e.g. a pair not drawn in a bootstrap)
};
const char* DropReasonName(DropReason reason);

class Communicator;

struct EstimateOptions {
  Family family = Family::kPoisson;
  double tolerance = 1e-8;      // relative change in deviance, as fixest and ppmlhdfe
  int max_iterations = 100;     // IRLS iterations
  double fe_tolerance = 1e-10;  // projection: relative residual of the FE normal equations
  int fe_max_iterations = 10000;
  bool drop_singletons = true;
  bool check_separation = true;  // ReLU separation check (PPML only)
  // Weighted regressions the separation check may take. When it reaches
  // the limit without a verdict nothing is dropped and the result's message
  // carries a warning (a separated observation, if any, makes a coefficient
  // diverge). Each regression costs about as much as one IRLS step.
  int separation_max_iterations = 200;
  double collinearity_tolerance = 1e-9;
  int threads = 0;  // 0: one per CPU the process may use (mizani/machine.h)
  VcovOptions vcov;
  ProjectionOptions projection;
  // Store mu (and the row mapping) in the result. From a frame built from
  // shares of a file (ModelFrame::shard_comm), each rank's result holds its
  // own rows: their fitted values in file order, source_row their rows in
  // the file; the ranks' rows together are the sample, and nothing is
  // gathered (the point of the shares is that no rank holds every row).
  bool keep_fitted = false;
  // Ranks that fit this one model together (docs/distributed.md): every
  // rank passes the same whole frame, keeps its shard of the rows and
  // reduces every sum over them (PPML and OLS; the projection on the Jacobi
  // path). Null or size 1: one process.
  Communicator* communicator = nullptr;
  // Called once per IRLS iteration (for progress on stderr); may be empty.
  std::function<void(int iteration, double deviance, double rel_change)> on_iteration;
};

// A model ready for the solver: every vector has one entry per observation
// kept (`_N`), columns of X are regressors, `fe_ids[q][obs]` are dense ids of
// fixed-effect dimension q. BuildModelFrame may reorder the rows (it groups
// them by the level of the largest fixed-effect dimension, the order the
// solver needs); `source_row` maps each back to its table row.
struct ModelFrame {
  std::vector<double> y;
  Eigen::MatrixXd X;
  std::vector<std::string> coef_names;
  std::vector<std::vector<int32_t>> fe_ids;
  std::vector<int32_t> fe_sizes;
  std::vector<std::string> fe_names;
  std::vector<std::vector<std::string>> fe_labels;
  std::vector<double> weights;                    // empty: all ones
  std::vector<double> offset;                     // empty: all zeros
  std::vector<std::vector<int32_t>> cluster_ids;  // per cluster column
  std::vector<std::string> cluster_names;
  std::vector<int64_t> source_row;  // row in the input table
  std::vector<std::pair<DropReason, int64_t>> dropped;
  int64_t rows_read = 0;
  // Set when the frame holds one rank's shard of the rows of a model that
  // several ranks fit together (BuildModelFrame on a table share,
  // docs/distributed.md): level and cluster ids, fe_sizes, labels,
  // `dropped` and rows_read are the whole sample's, the same on every rank;
  // the rows are those whose level of the largest dimension is this rank's.
  // Every sum over rows is reduced over this communicator.
  Communicator* shard_comm = nullptr;

  int64_t num_obs() const { return static_cast<int64_t>(y.size()); }
  void CountDrop(DropReason reason, int64_t count);
};

// Builds the frame: applies filters, drops rows with missing values (counted),
// takes logs, factorises fixed effects and cluster columns. Throws
// Error(kBadModel/kBadData) for unknown columns, non-numeric columns, negative
// or missing outcomes in PPML, a fixed effect with one level.
ModelFrame BuildModelFrame(const Table& table, const Formula& formula,
                           const std::vector<RowFilter>& filters, const EstimateOptions& options);
// The same, consuming the table: its columns are freed as soon as they are
// no longer read (peak memory on millions of rows); `table` is left empty.
ModelFrame BuildModelFrame(Table&& table, const Formula& formula,
                           const std::vector<RowFilter>& filters, const EstimateOptions& options);

struct FixedEffectEstimates {
  std::string name;                 // "exporter^year"
  std::vector<std::string> labels;  // per level
  std::vector<double> values;
};

struct EstimateResult {
  Termination termination = Termination::kNoObservations;
  std::string message;
  Family family = Family::kPoisson;
  std::string formula;

  std::vector<std::string> coef_names;  // kept regressors
  Eigen::VectorXd coef;
  Eigen::MatrixXd vcov;
  std::vector<std::string> collinear;  // regressors dropped as collinear
  std::string vcov_description;        // "clustered by pair_id (2,301 clusters), Stata ssc"
  std::vector<int64_t> num_clusters;

  int64_t num_obs = 0;
  int64_t rows_read = 0;
  std::vector<std::pair<DropReason, int64_t>> dropped;
  int iterations = 0;
  int64_t fe_iterations = 0;  // total inner CG iterations
  double deviance = 0;
  double null_deviance = 0;
  double pseudo_r2 = 0;    // PPML: squared correlation of y and mu (as Stata ppml); OLS: R2
  double deviance_r2 = 0;  // 1 - deviance / null deviance
  double log_likelihood = 0;
  double rss = 0;      // OLS
  int64_t fe_dof = 0;  // parameters absorbed by fixed effects
  // Wall-clock seconds per phase: cleaning (all-zero groups, singletons),
  // separation check, IRLS, variance and fixed-effect export.
  double seconds_cleaning = 0, seconds_separation = 0, seconds_irls = 0, seconds_variance = 0;

  // Fixed-effect estimates: exp(x'b + sum_q fe_q[id_q] + offset) = mu.
  // Normalisation: for dimensions q >= 1 the first level's value is zero; the
  // constant is carried by dimension 0 (see `fe_normalisation`).
  std::vector<FixedEffectEstimates> fixed_effects;
  std::string fe_normalisation;

  std::vector<double> fitted;       // mu per observation when keep_fitted
  std::vector<int64_t> source_row;  // with fitted: the table row of each
                                    // (from shares: this rank's rows, by
                                    // their row in the file)

  Eigen::VectorXd StdErrors() const;
  bool converged() const { return termination == Termination::kConverged; }
};

// Fits a prepared frame. Never throws for non-convergence: see `termination`.
EstimateResult Fit(ModelFrame frame, const EstimateOptions& options);

// Convenience: BuildModelFrame + Fit.
EstimateResult Estimate(const Table& table, const Formula& formula,
                        const std::vector<RowFilter>& filters, const EstimateOptions& options);

}  // namespace mizani
