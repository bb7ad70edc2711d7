// The sharded fixed-effect projection (FeProjector::SetCommunicator,
// docs/distributed.md), run under `mpirun -np K`: each rank holds a
// contiguous share of the rows of a random three-way design, or the rows of
// its share of the largest dimension's levels (that dimension then local:
// its sums are not reduced), and projects them with the level sums reduced
// across ranks. Checked against the whole
// sample projected by one process (every rank computes that alone), and
// against the projection's defining property on the whole sample: the
// weighted residuals sum to zero in every level (summed across ranks).
// The coefficients, completed across ranks, must equal the whole sample's.
// Rank 0 prints the bytes reduced per pass. Exit 0 when all hold.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "estimate/hdfe/fe_projector.h"
#include "mizani/communicator.h"
#include "round_bytes.h"

namespace {

using mizani::estimate::FeProjector;

// The collectives themselves: what arrives is what each rank sent.
int CheckCollectives(mizani::Communicator& comm) {
  int failures = 0;
  const int ranks = comm.size();
  std::vector<std::string> send(ranks);
  for (int peer = 0; peer < ranks; ++peer)
    send[peer] = std::string(static_cast<size_t>(comm.rank() + peer), 'a') +
                 fmt::format("{}>{}", comm.rank(), peer);
  const std::vector<std::string> got = comm.Alltoallv(send);
  for (int peer = 0; peer < ranks; ++peer) {
    const std::string want = std::string(static_cast<size_t>(peer + comm.rank()), 'a') +
                             fmt::format("{}>{}", peer, comm.rank());
    failures += got[peer] != want;
  }
  const std::vector<std::string> all =
      comm.Allgatherv(std::string(static_cast<size_t>(comm.rank()), 'x'));
  for (int peer = 0; peer < ranks; ++peer)
    failures += all[peer] != std::string(static_cast<size_t>(peer), 'x');
  // Under MIZANI_MPI_ROUND_BYTES=3 (the test's second run) the messages
  // above (up to 3 + rank + peer bytes) took several rounds each.
  if (mizani::testing::RoundBytesForTest() == 3 && ranks > 1) {
    const mizani::CommunicationStats& stats = comm.stats();
    failures += stats.byte_rounds <= stats.allgather_calls + stats.alltoall_calls;
  }
  std::vector<int64_t> values{comm.rank() + 1, -comm.rank()};
  comm.AllreduceMax(std::span<int64_t>(values));
  failures += values[0] != ranks || values[1] != 0;
  std::vector<double> maxima{0.25 * comm.rank(), -1.5 - comm.rank()};
  comm.AllreduceMax(std::span<double>(maxima));
  failures += maxima[0] != 0.25 * (ranks - 1) || maxima[1] != -1.5;
  std::vector<double> sums{0.5 * comm.rank()};
  comm.AllreduceSum(std::span<double>(sums));
  failures += sums[0] != 0.25 * ranks * (ranks - 1);
  if (failures > 0)
    std::fprintf(stderr, "FAIL rank %d: %d collective check(s)\n", comm.rank(), failures);
  return failures;
}

// The random three-way design (every rank draws the same).
struct Design {
  int64_t num_obs = 60000;
  std::vector<int32_t> sizes = {400, 300, 2000};
  int num_cols = 3;
  std::vector<std::vector<int32_t>> ids;
  std::vector<double> weight, v;
};

Design MakeDesign() {
  Design design;
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> uniform(0.1, 3.0);
  design.ids.assign(design.sizes.size(), std::vector<int32_t>(design.num_obs));
  for (size_t dim_idx = 0; dim_idx < design.sizes.size(); ++dim_idx) {
    for (int64_t obs_idx = 0; obs_idx < design.num_obs; ++obs_idx) {
      design.ids[dim_idx][obs_idx] = obs_idx < design.sizes[dim_idx]
                                         ? static_cast<int32_t>(obs_idx)
                                         : static_cast<int32_t>(rng() % design.sizes[dim_idx]);
    }
  }
  design.weight.resize(design.num_obs);
  design.v.resize(design.num_cols * design.num_obs);
  for (double& value : design.weight) value = uniform(rng);
  for (double& value : design.v) value = uniform(rng) * 10 - 5;
  return design;
}

// The whole sample projected by one process.
struct WholeProjection {
  std::vector<double> out, alpha, cross;
  mizani::estimate::ProjectionStats stats;
};

WholeProjection ProjectWhole(const Design& design, const mizani::ProjectionOptions& options,
                             double tolerance) {
  WholeProjection whole;
  FeProjector projector(design.ids, design.sizes, 1, 0, options);
  projector.SetWeights(design.weight);
  whole.out.resize(design.v.size());
  whole.cross.resize(design.num_cols * design.num_cols);
  whole.stats = projector.Project(design.v.data(), whole.out.data(), design.num_cols, whole.alpha,
                                  tolerance, 100000, nullptr, whole.cross.data());
  return whole;
}

// The ranks' failures added up; rank 0 prints the count. Exit code 0 when
// no rank failed.
int Verdict(mizani::Communicator& comm, const Design& design, int64_t total_levels, int failures) {
  std::vector<int64_t> failed{failures};
  comm.AllreduceSum(std::span<int64_t>(failed));
  if (comm.rank() == 0) {
    std::printf("%s: %lld rows, %lld levels x %d columns; %lld rank(s) failed\n",
                comm.Describe().c_str(), static_cast<long long>(design.num_obs),
                static_cast<long long>(total_levels), design.num_cols,
                static_cast<long long>(failed[0]));
  }
  return failed[0] == 0 ? 0 : 1;
}

int Run(mizani::Communicator& comm) {
  const Design design = MakeDesign();
  const int64_t num_obs = design.num_obs;
  const std::vector<int32_t>& sizes = design.sizes;
  const int num_cols = design.num_cols;
  const auto& ids = design.ids;
  const std::vector<double>& weight = design.weight;
  const std::vector<double>& v = design.v;
  mizani::ProjectionOptions options;
  options.solver = mizani::FeSolver::kJacobi;
  const double tolerance = 1e-13;

  // The whole sample, one process; and on the Schur path, whose
  // coefficients are another solution of the same normal equations (the
  // three-way effects are not identified; only D alpha is), for the
  // coefficients of the sharded Schur runs.
  mizani::ProjectionOptions schur_options = options;
  schur_options.solver = mizani::FeSolver::kSchur;
  const WholeProjection whole_schur = ProjectWhole(design, schur_options, tolerance);
  const std::vector<double>& whole_schur_alpha = whole_schur.alpha;
  const WholeProjection whole = ProjectWhole(design, options, tolerance);
  const std::vector<double>& whole_out = whole.out;
  const std::vector<double>& whole_alpha = whole.alpha;
  const std::vector<double>& whole_cross = whole.cross;
  const auto& whole_stats = whole.stats;

  int failures = 0;
  auto fail = [&](const std::string& what) {
    std::fprintf(stderr, "FAIL rank %d: %s\n", comm.rank(), what.c_str());
    ++failures;
  };
  int64_t total_levels = 0;
  for (int32_t size : sizes) total_levels += size;
  // This rank's rows: a block of rows (every level may span ranks), or the
  // rows of the levels of dimension 2 equal to the rank modulo the rank
  // count, with that dimension local (its sums not reduced); with `schur`,
  // sharded by those levels, the Schur path eliminating dimension 2 (runs
  // whole on their rank, only dimensions 0 and 1 reduced). Returns the
  // bytes allreduced per pass.
  auto run_shard = [&](bool by_level, bool schur) {
    std::vector<int64_t> rows;
    for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
      const bool take = by_level ? ids[2][obs_idx] % comm.size() == comm.rank()
                                 : obs_idx * comm.size() / num_obs == comm.rank();
      if (take) rows.push_back(obs_idx);
    }
    const auto mine = static_cast<int64_t>(rows.size());
    std::vector<std::vector<int32_t>> shard_ids(sizes.size(), std::vector<int32_t>(mine));
    std::vector<double> shard_weight(mine), shard_v(num_cols * mine);
    for (int64_t idx = 0; idx < mine; ++idx) {
      for (size_t dim_idx = 0; dim_idx < sizes.size(); ++dim_idx)
        shard_ids[dim_idx][idx] = ids[dim_idx][rows[idx]];
      shard_weight[idx] = weight[rows[idx]];
      for (int col_idx = 0; col_idx < num_cols; ++col_idx)
        shard_v[col_idx * mine + idx] = v[col_idx * num_obs + rows[idx]];
    }
    FeProjector shard(shard_ids, sizes, 1, 0, schur ? schur_options : options);
    if (schur && shard.EliminatedDimension() != 2)
      fail(fmt::format("the Schur path eliminates dimension {}", shard.EliminatedDimension()));
    shard.SetCommunicator(&comm, by_level ? 2 : -1);
    shard.SetWeights(shard_weight);
    std::vector<double> shard_out(shard_v.size()), shard_alpha;
    std::vector<double> shard_cross(num_cols * num_cols);
    const auto bytes_before = comm.stats().allreduce_bytes;
    const auto stats = shard.Project(shard_v.data(), shard_out.data(), num_cols, shard_alpha,
                                     tolerance, 100000, nullptr, shard_cross.data());
    const auto bytes = comm.stats().allreduce_bytes - bytes_before;
    const std::string how = schur      ? "by levels of dimension 2, Schur path"
                            : by_level ? "by levels of dimension 2"
                                       : "by blocks of rows";
    if (!stats.converged || !whole_stats.converged || !whole_schur.stats.converged)
      fail(how + ": projection did not converge");
    // Rows: the rank's rows of the whole projection.
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      double scale = 0, worst = 0;
      for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx)
        scale = std::max(scale, std::abs(v[col_idx * num_obs + obs_idx]));
      for (int64_t idx = 0; idx < mine; ++idx)
        worst = std::max(worst, std::abs(shard_out[col_idx * mine + idx] -
                                         whole_out[col_idx * num_obs + rows[idx]]));
      if (!(worst <= 1e-10 * scale))
        fail(fmt::format("{}: column {}: rows differ from the whole projection by {:.3g}", how,
                         col_idx, worst));
    }
    for (int idx = 0; idx < num_cols * num_cols; ++idx) {
      const double gap = std::abs(shard_cross[idx] - whole_cross[idx]);
      if (!(gap <= 1e-10 * std::max(1.0, std::abs(whole_cross[idx]))))
        fail(fmt::format("{}: cross product {}: {} vs {}", how, idx, shard_cross[idx],
                         whole_cross[idx]));
    }
    // The coefficients, completed across ranks, are the whole sample's
    // (both re-centred the same way).
    shard.CompleteLocalLevels(shard_alpha, num_cols);
    const std::vector<double>& reference_alpha = schur ? whole_schur_alpha : whole_alpha;
    double worst_alpha = 0;
    for (size_t idx = 0; idx < reference_alpha.size(); ++idx)
      worst_alpha = std::max(worst_alpha, std::abs(shard_alpha[idx] - reference_alpha[idx]) /
                                              (1.0 + std::abs(reference_alpha[idx])));
    if (!(worst_alpha <= 1e-9))
      fail(fmt::format("{}: coefficients differ from the whole projection by {:.3g}", how,
                       worst_alpha));
    // Whole-sample orthogonality: sum over a level of w * out is zero.
    std::vector<double> level_sum(total_levels * num_cols, 0.0);
    for (int64_t idx = 0; idx < mine; ++idx) {
      int64_t offset = 0;
      for (size_t dim_idx = 0; dim_idx < sizes.size(); ++dim_idx) {
        for (int col_idx = 0; col_idx < num_cols; ++col_idx)
          level_sum[(offset + shard_ids[dim_idx][idx]) * num_cols + col_idx] +=
              shard_weight[idx] * shard_out[col_idx * mine + idx];
        offset += sizes[dim_idx];
      }
    }
    comm.AllreduceSum(std::span<double>(level_sum));
    double worst_level = 0;
    for (double sum : level_sum) worst_level = std::max(worst_level, std::abs(sum));
    if (!(worst_level <= 1e-8))
      fail(fmt::format("{}: a level's weighted residual sum is {:.3g}", how, worst_level));
    if (comm.rank() == 0) {
      std::printf(
          "%s, %s: %lld passes sharded (%lld whole), %lld bytes allreduced (%.0f a pass)\n",
          comm.Describe().c_str(), how.c_str(), static_cast<long long>(stats.iterations),
          static_cast<long long>(schur ? whole_schur.stats.iterations : whole_stats.iterations),
          static_cast<long long>(bytes),
          static_cast<double>(bytes) / static_cast<double>(std::max<int64_t>(1, stats.iterations)));
    }
    return static_cast<double>(bytes) / static_cast<double>(std::max<int64_t>(1, stats.iterations));
  };
  const double per_pass_blocks = run_shard(false, false);
  const double per_pass_levels = run_shard(true, false);
  const double per_pass_schur = run_shard(true, true);
  // The Schur path reduces the 700 remaining levels' sums a pass and
  // nothing per eliminated level: 700 x 3 x 8 bytes, plus the weight sums,
  // norms and cross products once (a quarter allowed for them; the 2,000
  // eliminated levels would add 48,000 bytes a pass).
  if (comm.size() > 1 && per_pass_schur > 1.25 * 700 * num_cols * 8)
    fail(fmt::format("the Schur path reduced {:.0f} bytes a pass", per_pass_schur));
  // Dimension 2 holds 2,000 of the 2,700 levels: kept local, a pass moves
  // the other 700 levels' sums and a few scalars.
  if (comm.size() > 1 && !(per_pass_levels < 0.5 * per_pass_blocks))
    fail(fmt::format("a local dimension saved too little: {:.0f} against {:.0f} bytes a pass",
                     per_pass_levels, per_pass_blocks));

  failures += CheckCollectives(comm);
  return Verdict(comm, design, total_levels, failures);
}

}  // namespace

int main(int argc, char** argv) {
  const auto comm = mizani::StartCommunicator(&argc, &argv, mizani::testing::RoundBytesForTest());
  return Run(*comm);
}
