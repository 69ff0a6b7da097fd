# Golden values for imheval.stats.its (interrupted time series, level-4 service data), by R.
#
# Run from this folder:   Rscript make_golden_services.R
# Reads services_inputs.json, writes services_r_results.json (15 significant digits). The
# Python tests in test_services_against_r.py compare imheval with every number written here;
# the test suite never needs R itself. Debian packages: r-base-core r-cran-jsonlite.
#
# Segmented regression (Wagner et al. 2002; Penfold & Zhang 2013; Bernal et al. 2017):
#   lm(y ~ time + after + time_after), time_after = time - (first time after) when after, else 0.
# Coefficients, standard errors, t, two-sided p and 95% CIs (confint) from lm; Durbin-Watson
# sum(diff(e)^2) / sum(e^2) and lag-1 autocorrelation sum(e[t] e[t-1]) / sum(e^2) by hand on
# the residuals in time order; R squared from summary(lm).

options(warn = 1)
suppressPackageStartupMessages(library(jsonlite))

inp <- fromJSON("services_inputs.json", simplifyVector = TRUE)
out <- list()
for (name in names(inp$cases)) {
  case <- inp$cases[[name]]
  time <- as.numeric(case$time)
  after <- as.numeric(as.logical(case$after))
  first_after <- min(time[after == 1])
  time_after <- ifelse(after == 1, time - first_after, 0)
  y <- as.numeric(case$y)
  fit <- lm(y ~ time + after + time_after)
  s <- summary(fit)
  co <- s$coefficients
  ci <- confint(fit, level = 0.95)
  e <- unname(residuals(fit))
  n <- length(e)
  out[[name]] <- list(
    estimate = unname(co[, 1]),
    se = unname(co[, 2]),
    t = unname(co[, 3]),
    p = unname(co[, 4]),
    ci_low = unname(ci[, 1]),
    ci_high = unname(ci[, 2]),
    df_residual = fit$df.residual,
    r_squared = s$r.squared,
    durbin_watson = sum(diff(e)^2) / sum(e^2),
    lag1_autocorrelation = sum(e[-1] * e[-n]) / sum(e^2),
    fitted = unname(fitted(fit))
  )
}
out$r_version <- R.version.string
writeLines(toJSON(out, digits = I(15), auto_unbox = TRUE, pretty = TRUE), "services_r_results.json")
