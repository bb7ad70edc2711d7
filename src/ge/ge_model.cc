// The GE engines behind one interface (GeModel, include/mizani/ge.h): the
// choice of engine is GeOptions::solver, made here once.
#include <memory>
#include <utility>

#include "mizani/error.h"
#include "mizani/ge.h"
#include "mizani/geppml.h"

namespace mizani {

GeppmlModel::GeppmlModel(Eigen::MatrixXd flows, std::vector<std::string> codes, double theta,
                         GeOptions options)
    : baseline_(std::move(flows), std::move(codes), theta, std::move(options)) {}

GeResult GeppmlModel::Solve(const Eigen::MatrixXd& partial_effects,
                            const GeResult* /*warm_start*/) const {
  // GEPPML re-estimates PPML instead of iterating on prices: nothing to warm-start.
  return SolveGeppml(baseline_.baseline_flows(), baseline_.codes(), baseline_.theta(),
                     partial_effects, baseline_.options());
}

std::unique_ptr<GeModel> MakeGeModel(const Eigen::MatrixXd& flows,
                                     const std::vector<std::string>& codes, double theta,
                                     const GeOptions& options) {
  switch (options.solver) {
    case GeSolver::kHat:
      return std::make_unique<GeProblem>(flows, codes, theta, options);
    case GeSolver::kGeppml:
      return std::make_unique<GeppmlModel>(flows, codes, theta, options);
  }
  throw Error(ErrorCode::kInternal, "unknown GE solver");
}

}  // namespace mizani
