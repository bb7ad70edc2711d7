// Operations on a ModelFrame shared by the cleaning steps and the fit.
#pragma once

#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "mizani/communicator.h"
#include "mizani/estimate.h"

namespace mizani::estimate {

// D alpha at one observation: the sum over the frame's fixed-effect
// dimensions of the coefficients of the row's levels, for column col_idx of
// alpha_GC (level-major, num_cols columns, levels stacked at offsets_Q as
// FeProjector lays them out). How the fit rebuilds z - z~ from the
// projection's coefficients instead of storing z~.
inline double EffectAt(const ModelFrame& frame, const std::vector<int64_t>& offsets_Q,
                       const double* alpha_GC, int num_cols, int col_idx, int64_t obs_idx) {
  double sum = 0;
  for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx) {
    sum += alpha_GC[(offsets_Q[dim_idx] + frame.fe_ids[dim_idx][obs_idx]) * num_cols + col_idx];
  }
  return sum;
}

// Keeps observations with keep_N[obs] != 0, re-densifies fixed-effect and
// cluster ids (levels that lose all their observations disappear), and
// counts the removed observations under `reason`. Returns how many were removed.
int64_t CompactFrame(ModelFrame& frame, const std::vector<uint8_t>& keep_N, DropReason reason);

// Renumbers fixed-effect dimension dim_idx (ids, size, labels) over the
// levels its rows still use, keeping their order, after rows were removed.
// RedensifyClusterIds does the same for a cluster variable's ids. With a
// sharded frame (or comm) the levels used on any rank stay: collectives.
void RedensifyFixedEffect(ModelFrame& frame, size_t dim_idx, int threads);
void RedensifyClusterIds(std::vector<int32_t>& ids, int threads, Communicator* comm = nullptr);

// Reorders the observations so that those of each level of the largest
// fixed-effect dimension are contiguous (a stable counting sort), which lets
// the projector eliminate that dimension exactly (schur_projector.h).
// Does nothing with fewer than two dimensions or when already contiguous.
void SortByLargestDimension(ModelFrame& frame);

// Drops observations in fixed-effect groups whose outcome sums to zero,
// repeated over all dimensions until nothing changes (Correia, Guimarães &
// Zylkin 2020; fixest does a single pass).
int64_t DropAllZeroGroups(ModelFrame& frame);

// Drops observations alone in a fixed-effect level, repeated until none is
// left (a singleton is fitted perfectly and carries no information on beta).
int64_t DropSingletons(ModelFrame& frame);

// Number of fixed-effect parameters that are identified: the sum of the
// level counts minus the redundancies. Exact for one and two dimensions
// (connected components of the bipartite level graph); with more dimensions
// each further dimension is assumed to add one redundancy (as fixest).
// Dimensions flagged in `skip_Q` (nested in a cluster) are not counted.
int64_t FixedEffectDof(const ModelFrame& frame, const std::vector<uint8_t>& skip_Q);

// True when every level of fixed-effect dimension `dim_idx` lies within one
// cluster of cluster variable `cluster_idx` (the fixed effect is nested in
// the cluster). A sharded frame: over every rank's rows (a collective).
bool NestedInCluster(const ModelFrame& frame, size_t dim_idx, size_t cluster_idx);

// Disjoint sets of nodes 0..n-1 (path halving; Join returns whether two
// sets merged).
struct UnionFind {
  std::vector<int32_t> parent;
  explicit UnionFind(int32_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int32_t Root(int32_t node) {
    while (parent[node] != node) node = parent[node] = parent[parent[node]];
    return node;
  }
  bool Join(int32_t a, int32_t b) {
    a = Root(a);
    b = Root(b);
    if (a == b) return false;
    parent[a] = b;
    return true;
  }
};

// The connected components of the bipartite graph whose nodes are the
// levels of dimensions dim_a and dim_b and whose edges are the
// observations: the component of each level of dim_a (first size_a
// entries), then of each level of dim_b, numbered 0, 1, ... in order of
// their smallest dim_b level (a dim_a level without observations comes
// after, alone). Two-way effects are identified up to one constant per
// component; *num_components receives their count.
std::vector<int32_t> TwoWayComponents(const ModelFrame& frame, size_t dim_a, size_t dim_b,
                                      int32_t* num_components);

// ---- Sharded fits (docs/distributed.md) -----------------------------------
// A fit shared by the ranks of options.communicator (size > 1), or null for
// one process.
Communicator* ShardingCommunicator(const EstimateOptions& options);
// The whole sample's observation count: a sharded frame's (shard_comm)
// reduced over the ranks (a collective), any other frame's own.
int64_t GlobalObservations(const ModelFrame& frame);
// Sums over this rank's rows made the whole sample's (comm null: as they are).
inline void ReduceSum(Communicator* comm, std::span<double> values) {
  if (comm != nullptr) comm->AllreduceSum(values);
}
// The dimension whose levels ShardRows deals out (the largest; -1 without
// fixed effects): each of its levels has all its rows on one rank.
int ShardDimension(const ModelFrame& frame);
// This rank's rows of a sharded fit: whole levels of the largest
// fixed-effect dimension (level modulo the rank count), or balanced blocks of
// rows without fixed effects. Every rank holds the same whole frame.
std::vector<int64_t> ShardRows(const ModelFrame& frame, const Communicator& comm);
// The rows `rows` of frame's outcome, regressors, weights, offset and
// fixed-effect ids (level ids stay global, so the shard's projector reduces
// per-level sums across ranks).
ModelFrame ShardOf(const ModelFrame& frame, const std::vector<int64_t>& rows);
// The frame a fit works on: with comm (a sharded fit) this rank's rows,
// their whole-frame indices in `rows` and the shard itself in `shard`
// (`frame` then keeps X's columns but none of its rows); without, `frame`
// itself.
ModelFrame& WorkFrame(ModelFrame& frame, const Communicator* comm, std::vector<int64_t>& rows,
                      ModelFrame& shard);

}  // namespace mizani::estimate
