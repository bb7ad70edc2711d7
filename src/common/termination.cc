#include "mizani/termination.h"

namespace mizani {

const char* TerminationName(Termination termination) {
  switch (termination) {
    case Termination::kConverged:
      return "converged";
    case Termination::kMaxIterations:
      return "iteration limit reached";
    case Termination::kNumericalFailure:
      return "numerical failure";
    case Termination::kNoObservations:
      return "no observations";
  }
  return "unknown";
}

const char* ToString(Termination termination) {
  switch (termination) {
    case Termination::kConverged:
      return "converged";
    case Termination::kMaxIterations:
      return "max_iterations";
    case Termination::kNumericalFailure:
      return "numerical_failure";
    case Termination::kNoObservations:
      return "no_observations";
  }
  return "unknown";
}

}  // namespace mizani
