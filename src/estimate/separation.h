// Detection of observations separated by the regressors and fixed effects.
#pragma once

#include "common/buffer_pool.h"
#include "estimate/fe_projector.h"
#include "mizani/estimate.h"

namespace mizani::estimate {

// The ReLU method of Correia, Guimarães & Zylkin (2021, "Verifying the
// existence of maximum likelihood estimates for generalized linear models",
// Econometrics Journal; ppmlhdfe): find z in the span of X and the fixed
// effects with z = 0 where y > 0 and z >= 0 where y = 0. Observations with
// z > 0 are separated: their PPML fitted value tends to zero and some
// coefficient diverges. They are removed (counted under kSeparated); the
// remaining estimates are then those ppmlhdfe reports. Returns the number
// of observations dropped.
// `projector` is built on the frame's fixed effects; its weights are
// changed. It is stale once rows were dropped.
// Work arrays come from and go back to `pool`.
int64_t DropSeparated(ModelFrame& frame, const EstimateOptions& options, FeProjector& projector,
                      BufferPool& pool);

}  // namespace mizani::estimate
