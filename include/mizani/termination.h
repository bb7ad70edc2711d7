// One termination type for every iterative method in mizani: IRLS (estimate),
// the GE fixed points (hat algebra, GEPPML), GSIM, ordered-response maximum
// likelihood (rating) and the bracketed root finder (numerics). In the spirit
// of Ceres Solver's TerminationType: callers branch on the value, and each
// result carries a message that says why it stopped.
#pragma once

namespace mizani {

enum class Termination {
  kConverged,         // the method's convergence test passed
  kMaxIterations,     // the iteration (or evaluation) limit was reached first
  kNumericalFailure,  // a non-finite value, a singular system, no solution
  kNoObservations,    // nothing left to fit after cleaning the sample
};

// Human wording for reports and logs: "converged", "iteration limit reached".
const char* TerminationName(Termination termination);
// Stable snake_case id for machine-readable outputs (results.json):
// "converged", "max_iterations", "numerical_failure", "no_observations".
const char* ToString(Termination termination);

}  // namespace mizani
