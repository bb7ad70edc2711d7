# Independent reference for mizani's ordered models (tests/rating): R's
# ordinal package (Christensen), Debian r-cran-ordinal.
#
#   Rscript ordinal_reference.R data.csv probit|logit clm
#   Rscript ordinal_reference.R data.csv probit|logit clmm NAGQ
#
# data.csv: y (category 0..J-1), cluster (integer id), then the regressors
# (as written by tests/rating/reference.h). `clm` fits the pooled ordered
# model; its covariance is the inverse of the analytic Hessian. `clmm` adds a
# normal random intercept per cluster, integrated by adaptive Gauss-Hermite
# quadrature with NAGQ nodes. Prints JSON: beta, cutpoints (thresholds, the
# same sign convention as mizani: P(y <= j) = F(cut_j - x'beta)), vcov of
# (cutpoints, beta) for clm, the random-intercept standard deviation for
# clmm (fitted by ucminf with central-difference gradients to a max
# |gradient| near 1e-7; nlminb stops at 1e-4), the log-likelihood, the maximum absolute gradient and the fit time.
# Exit code 77 when the ordinal package is missing.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 3) stop("usage: ordinal_reference.R data.csv probit|logit clm|clmm [NAGQ]")
if (!suppressWarnings(requireNamespace("ordinal", quietly = TRUE))) {
  message("R package ordinal is not installed (Debian r-cran-ordinal)")
  quit(status = 77)
}
frame <- read.csv(args[1])
link <- args[2]
kind <- args[3]
regressors <- setdiff(names(frame), c("y", "cluster"))
frame$y <- factor(frame$y, levels = sort(unique(frame$y)), ordered = TRUE)
frame$cluster <- factor(frame$cluster)
rhs <- paste(regressors, collapse = " + ")
num <- function(v) sprintf("%.17g", v)
vec <- function(v) paste0("[", paste(num(v), collapse = ","), "]")
started <- proc.time()[["elapsed"]]
if (kind == "clm") {
  fit <- ordinal::clm(as.formula(paste("y ~", rhs)), data = frame, link = link,
                      control = ordinal::clm.control(gradTol = 1e-12, relTol = 1e-14,
                                                     maxIter = 500))
  seconds <- proc.time()[["elapsed"]] - started
  vc <- vcov(fit)
  cat(sprintf(paste0('{"beta":%s,"cutpoints":%s,"vcov":[%s],"llf":%s,',
                     '"max_abs_gradient":%s,"seconds":%s}\n'),
              vec(fit$beta), vec(fit$alpha),
              paste(apply(vc, 1, vec), collapse = ","), num(as.numeric(logLik(fit))),
              num(max(abs(fit$gradient))), num(seconds)))
} else if (kind == "clmm") {
  nagq <- as.integer(args[4])
  fit <- ordinal::clmm(as.formula(paste("y ~", rhs, "+ (1|cluster)")), data = frame,
                       link = link, nAGQ = nagq,
                       control = ordinal::clmm.control(method = "ucminf", grtol = 1e-12,
                                                       xtol = 1e-14, gradTol = 1e-12,
                                                       maxeval = 20000, maxIter = 500))
  seconds <- proc.time()[["elapsed"]] - started
  cat(sprintf(paste0('{"beta":%s,"cutpoints":%s,"sigma":%s,"llf":%s,',
                     '"max_abs_gradient":%s,"seconds":%s}\n'),
              vec(fit$beta), vec(fit$alpha), num(as.numeric(fit$ST[[1]])),
              num(as.numeric(logLik(fit))), num(max(abs(fit$gradient))), num(seconds)))
} else {
  stop("unknown kind: ", kind)
}
