#include "estimate/variance.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>

#include "common/rank_keys.h"
#include "common/wire.h"
#include "estimate/family.h"
#include "mizani/error.h"

namespace mizani::estimate {

namespace {

// Row obs_idx's score is factor * x~_i: w_i e_i (OLS), fw_i (y_i - mu_i)
// (PPML).
double ScoreFactor(const VarianceInput& input, int64_t obs_idx) {
  const double resid = (*input.resid)[obs_idx];
  if (FamilyOf(input.family).least_squares()) return resid * (*input.weights)[obs_idx];
  return input.freq->empty() ? resid : resid * (*input.freq)[obs_idx];
}

// Meat of the sandwich for one clustering: sum over clusters of s_g s_g',
// s_g = sum_{i in g} x~_i * w_i * e_i (PPML: w_i e_i = fw_i (y_i - mu_i)).
Eigen::MatrixXd ClusterMeat(const VarianceInput& input, const std::vector<int32_t>& cluster_ids,
                            int32_t num_clusters) {
  const Eigen::Map<const Eigen::MatrixXd>& X = *input.X_tilde;
  const int64_t num_cols = X.cols();
  Eigen::MatrixXd score_GK = Eigen::MatrixXd::Zero(num_clusters, num_cols);
  for (int64_t obs_idx = 0; obs_idx < X.rows(); ++obs_idx) {
    const double factor = ScoreFactor(input, obs_idx);
    const int64_t frame_row = input.rows != nullptr ? (*input.rows)[obs_idx] : obs_idx;
    score_GK.row(cluster_ids[frame_row]) += factor * X.row(obs_idx);
  }
  if (input.comm != nullptr)
    input.comm->AllreduceSum(std::span<double>(score_GK.data(), score_GK.size()));
  return score_GK.transpose() * score_GK;
}

// Heteroskedasticity-robust meat of a sharded fit: every row its own
// cluster, so this rank's sum of s_i s_i' plus the other ranks'.
Eigen::MatrixXd ShardedRowMeat(const VarianceInput& input) {
  const Eigen::Map<const Eigen::MatrixXd>& X = *input.X_tilde;
  Eigen::MatrixXd score_NK = X;
  for (int64_t obs_idx = 0; obs_idx < X.rows(); ++obs_idx) {
    const double factor = ScoreFactor(input, obs_idx);
    score_NK.row(obs_idx) *= factor;
  }
  Eigen::MatrixXd meat = score_NK.transpose() * score_NK;
  input.comm->AllreduceSum(std::span<double>(meat.data(), meat.size()));
  return meat;
}

// Intersection of several cluster dimensions as dense ids, in order of
// first appearance: exact, one dimension at a time (a pair of ids is one
// 64-bit key; until session 15 a hash of all ids was the key, and two
// intersections with the same hash would have merged). A sharded frame
// (comm): each rank's intersections, as tuples of cluster ids, joined in
// rank order, so an intersection has one number on every rank.
std::vector<int32_t> Intersect(const std::vector<const std::vector<int32_t>*>& dims,
                               int32_t* num_levels, Communicator* comm) {
  const size_t num_rows = dims[0]->size();
  std::vector<int32_t> out(*dims[0]);
  std::vector<size_t> first_row;  // per intersection, its first row
  for (size_t dim_idx = 1; dim_idx < dims.size(); ++dim_idx) {
    std::unordered_map<uint64_t, int32_t> index;
    first_row.clear();
    for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
      const uint64_t key = (uint64_t{static_cast<uint32_t>(out[row_idx])} << 32) |
                           static_cast<uint32_t>((*dims[dim_idx])[row_idx]);
      const auto [it, inserted] = index.try_emplace(key, static_cast<int32_t>(index.size()));
      if (inserted) first_row.push_back(row_idx);
      out[row_idx] = it->second;
    }
  }
  *num_levels = static_cast<int32_t>(first_row.size());
  if (comm == nullptr) return out;
  // Across ranks: each intersection's ids of its first row as its key.
  RankKeys keys;
  std::string key;
  for (const size_t row_idx : first_row) {
    key.clear();
    for (const auto* dim : dims) AppendBytes(key, (*dim)[row_idx]);
    keys.Add(0, key);
  }
  const JoinedKeys joined =
      std::move(keys.Join(*comm, /*keep_keys=*/false, /*keep_payloads=*/false)[0]);
  const std::vector<int32_t>& global_of_local = joined.id_of_local;
  for (int32_t& id : out) id = global_of_local[static_cast<size_t>(id)];
  *num_levels = joined.count;
  return out;
}

}  // namespace

VarianceOutput ComputeVariance(const VarianceInput& input, const ModelFrame& frame,
                               const VcovOptions& options) {
  VarianceOutput out;
  const Eigen::MatrixXd& bread = input.bread;
  const double n = static_cast<double>(input.num_obs);
  const double k = static_cast<double>(input.num_params);
  const bool ols = FamilyOf(input.family).least_squares();
  const char* ssc_name = options.small_sample == SmallSample::kStata    ? "Stata"
                         : options.small_sample == SmallSample::kFixest ? "fixest"
                                                                        : "no";
  switch (options.type) {
    case VcovType::kIid: {
      double adj = 1;
      if (options.small_sample == SmallSample::kFixest) adj = (n - 1) / (n - k);
      out.vcov = bread * (ols ? input.sigma2 : 1.0) * adj;
      out.description = fmt::format("IID ({} small-sample convention)", ssc_name);
      break;
    }
    case VcovType::kHetero: {
      Eigen::MatrixXd meat;
      if (input.comm != nullptr) {
        meat = ShardedRowMeat(input);
      } else {
        std::vector<int32_t> each(input.X_tilde->rows());
        for (size_t obs_idx = 0; obs_idx < each.size(); ++obs_idx)
          each[obs_idx] = static_cast<int32_t>(obs_idx);
        meat = ClusterMeat(input, each, static_cast<int32_t>(each.size()));
      }
      double adj = 1;
      if (options.small_sample == SmallSample::kStata) adj = ols ? n / (n - k) : n / (n - 1);
      if (options.small_sample == SmallSample::kFixest) adj = n / (n - k);
      out.vcov = bread * meat * bread * adj;
      out.description =
          fmt::format("heteroskedasticity-robust ({} small-sample convention)", ssc_name);
      break;
    }
    case VcovType::kCluster: {
      const size_t num_dims = frame.cluster_ids.size();
      if (num_dims == 0)
        throw Error(ErrorCode::kBadModel, "clustered standard errors need a cluster column");
      std::vector<int64_t> sizes;
      for (const auto& ids : frame.cluster_ids) {
        int32_t max_id = 0;
        for (int32_t id : ids) max_id = std::max(max_id, id + 1);
        sizes.push_back(max_id);
      }
      // A sharded frame's ids are the whole sample's; each rank sees some.
      if (frame.shard_comm != nullptr) frame.shard_comm->AllreduceMax(std::span<int64_t>(sizes));
      const int64_t min_clusters = *std::min_element(sizes.begin(), sizes.end());
      out.vcov = Eigen::MatrixXd::Zero(bread.rows(), bread.cols());
      // Cameron–Gelbach–Miller inclusion–exclusion over subsets of dimensions.
      for (uint32_t subset = 1; subset < (1u << num_dims); ++subset) {
        std::vector<const std::vector<int32_t>*> dims;
        for (size_t dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
          if (subset & (1u << dim_idx)) dims.push_back(&frame.cluster_ids[dim_idx]);
        }
        int32_t num_groups = 0;
        std::vector<int32_t> ids =
            dims.size() == 1 ? *dims[0] : Intersect(dims, &num_groups, frame.shard_comm);
        if (dims.size() == 1) num_groups = static_cast<int32_t>(sizes[__builtin_ctz(subset)]);
        Eigen::MatrixXd meat = ClusterMeat(input, ids, num_groups);
        double g = options.small_sample == SmallSample::kFixest ? static_cast<double>(min_clusters)
                                                                : static_cast<double>(num_groups);
        double adj = 1;
        if (options.small_sample != SmallSample::kNone) adj = g / (g - 1);
        if (options.small_sample == SmallSample::kFixest ||
            (ols && options.small_sample == SmallSample::kStata)) {
          adj *= (n - 1) / (n - k);
        }
        const double sign = (dims.size() % 2 == 1) ? 1.0 : -1.0;
        out.vcov += sign * adj * (bread * meat * bread);
      }
      out.num_clusters = sizes;
      std::string names;
      for (size_t dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
        names += fmt::format("{}{} ({} clusters)", dim_idx ? ", " : "",
                             frame.cluster_names[dim_idx], sizes[dim_idx]);
      }
      out.description =
          fmt::format("clustered by {} ({} small-sample convention)", names, ssc_name);
      break;
    }
  }
  return out;
}

}  // namespace mizani::estimate
