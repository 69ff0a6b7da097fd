# Golden values for imheval.stats.organisations: do organisations differ? Computed by R's lme4
# and lmerTest on the people's own gains.
#
# Run from this folder:   Rscript make_golden_organisations.R
# Simulates six tables of people's gains (set.seed below, so the run is reproducible), writes
# them to organisations_inputs.json (one row per person: organisation, cohort, gain), fits each
# by REML and writes organisations_r_results.json (15 significant digits).
# test_organisations_against_r.py turns each table into cohort summaries (n, mean, SD), fits
# them with imheval and compares every number written here; the test suite never needs R.
# Debian packages: r-base-core r-cran-jsonlite r-cran-lme4 r-cran-lmertest.
#
# Model: lmerTest::lmer(gain ~ 1 + (1 | organisation) + (1 | organisation:cohort), REML = TRUE)
# - the intercept (the mean gain): contest1D(fit, 1, ddf = "Satterthwaite", confint = TRUE):
#   estimate, SE, df, t, p and the 95% CI estimate +- qt(.975, df) * SE;
# - the variance components (VarCorr), the REML log-likelihood, isSingular();
# - lmerTest::ranova(fit): the REML likelihood-ratio test of the (1 | organisation) term
#   against lmer(gain ~ 1 + (1 | organisation:cohort)): LRT, Df and Pr(>Chisq); the reduced
#   model's REML log-likelihood is also fitted directly and recorded.

options(warn = 1)
suppressPackageStartupMessages({
  library(jsonlite)
  library(lme4)
  library(lmerTest)
})

set.seed(20261216)

# Gains in percent of the measure's maximum, one decimal: mean + organisation + cohort + person.
# `sizes` is a list with one vector of cohort sizes per organisation; `offsets`, when given,
# sets each organisation's effect instead of drawing it.
simulate <- function(sizes, mean, sd_organisation, sd_cohort, sd_person, offsets = NULL) {
  rows <- list()
  for (k in seq_along(sizes)) {
    organisation_effect <- if (is.null(offsets)) rnorm(1, 0, sd_organisation) else offsets[k]
    for (j in seq_along(sizes[[k]])) {
      cohort_effect <- rnorm(1, 0, sd_cohort)
      for (i in seq_len(sizes[[k]][j])) {
        gain <- round(mean + organisation_effect + cohort_effect + rnorm(1, 0, sd_person), 1)
        rows[[length(rows) + 1]] <- list(sprintf("Org %02d", k), sprintf("Cohort %d", j), gain)
      }
    }
  }
  rows
}

cohort_sizes <- function(organisations, cohorts, low, high) {
  lapply(seq_len(organisations), function(k) {
    sample(low:high, sample(cohorts, 1), replace = TRUE)
  })
}

frame <- function(rows) {
  data.frame(organisation = vapply(rows, `[[`, "", 1), cohort = vapply(rows, `[[`, "", 2),
             gain = vapply(rows, `[[`, 0, 3), stringsAsFactors = FALSE)
}

full_formula <- gain ~ 1 + (1 | organisation) + (1 | organisation:cohort)
reduced_formula <- gain ~ 1 + (1 | organisation:cohort)

# lme4 (and ranova's refit) look the data up in the formula's environment, the global one, so
# the table being fitted is put there under one name.
fit_quietly <- function(formula, data) {
  golden_table <<- data
  warnings <- character(0)
  fit <- withCallingHandlers(
    lmerTest::lmer(formula, data = golden_table, REML = TRUE,
                   control = lmerControl(check.conv.singular = "ignore")),
    warning = function(w) {
      warnings <<- c(warnings, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  list(fit = fit, warnings = warnings)
}

# The singular case: the first of these draws (no true organisation effect) whose fit puts the
# organisation variance at zero, so the run stays reproducible.
singular_rows <- function() {
  for (attempt in 1:50) {
    rows <- simulate(cohort_sizes(6, 2:4, 6, 14), 12, 0, 3, 12)
    fitted <- fit_quietly(full_formula, frame(rows))
    vc <- as.data.frame(VarCorr(fitted$fit))
    if (vc$vcov[vc$grp == "organisation"] == 0) return(rows)
  }
  stop("no singular draw in 50 attempts")
}

cases <- list(
  two_organisations = list(
    description = paste("2 organisations with 3 and 4 cohorts of 8 to 15 people, 8 points apart",
                        "in truth"),
    rows = simulate(list(c(8, 12, 15), c(9, 10, 14, 11)), 15, 0, 3, 12, offsets = c(-4, 4))),
  five_organisations = list(
    description = "5 organisations with 2 to 4 cohorts of 6 to 16 people",
    rows = simulate(cohort_sizes(5, 2:4, 6, 16), 14, 4, 3, 12)),
  twelve_organisations = list(
    description = paste("12 organisations with 2 to 6 cohorts of 5 to 20 people and a clear",
                        "difference between organisations"),
    rows = simulate(cohort_sizes(12, 2:6, 5, 20), 16, 7, 3, 11)),
  singular = list(
    description = paste("6 organisations, no true difference between them: the organisation",
                        "variance is estimated at zero (a singular fit)"),
    rows = singular_rows()),
  unequal_with_singletons = list(
    description = paste("6 organisations, cohorts from 1 to 40 people (several of one person),",
                        "one organisation with a single cohort; organisations set up to 21 points apart"),
    rows = simulate(list(c(1, 25, 3), c(40, 1, 2), c(12), c(1, 1, 18, 7), c(30, 2, 1),
                         c(5, 9)), 10, 0, 2, 12, offsets = c(-9, 4, 12, -3, 0, 7))),
  three_organisations_small = list(
    description = paste("3 organisations with 2 cohorts each of 3 to 6 people (few people, few",
                        "groups): both the organisation and the cohort variance at zero"),
    rows = simulate(list(c(3, 5), c(4, 6), c(6, 3)), 8, 3, 2, 9))
)

num <- function(x) unname(as.numeric(x))

describe <- function(case) {
  data <- frame(case$rows)
  full <- fit_quietly(full_formula, data)
  reduced <- fit_quietly(reduced_formula, data)
  fit <- fit_quietly(full_formula, data)$fit  # golden_table is this case's table again
  row <- contest1D(fit, 1, ddf = "Satterthwaite", confint = TRUE, level = 0.95)
  vc <- as.data.frame(VarCorr(fit))
  component <- function(name) vc$vcov[vc$grp == name]
  test <- ranova(fit)
  term <- "(1 | organisation)"
  list(
    n_obs = nobs(fit),
    n_cohorts = nlevels(factor(paste(data$organisation, data$cohort, sep = ":"))),
    n_organisations = length(unique(data$organisation)),
    intercept = list(estimate = num(row$Estimate), se = num(row$`Std. Error`),
                     df = num(row$df), t = num(row$`t value`), p = num(row$`Pr(>|t|)`),
                     ci = c(num(row$lower), num(row$upper))),
    var_organisation = component("organisation"),
    var_cohort = component("organisation:cohort"),
    var_residual = component("Residual"),
    loglik_reml = num(logLik(fit)),
    loglik_reml_without_organisation = num(logLik(reduced$fit)),
    ranova = list(term = term, lrt = num(test[term, "LRT"]), df = num(test[term, "Df"]),
                  p = num(test[term, "Pr(>Chisq)"])),
    singular = isSingular(fit),
    warnings = c(full$warnings, reduced$warnings)
  )
}

inputs <- list(
  description = paste("Inputs for make_golden_organisations.R (simulated there with",
                      "set.seed(20261216)); one row per person: organisation, cohort, gain",
                      "(percent of the measure's maximum). Cohorts are named within their",
                      "organisation."),
  columns = c("organisation", "cohort", "gain"),
  cases = lapply(cases, function(case) {
    list(description = case$description,
         rows = lapply(case$rows, function(r) list(r[[1]], r[[2]], r[[3]])))
  })
)
writeLines(toJSON(inputs, digits = 15, auto_unbox = TRUE, null = "null", na = "null"),
           "organisations_inputs.json")

out <- list(
  generated_with = list(
    R = R.version.string,
    lme4 = as.character(packageVersion("lme4")),
    lmerTest = as.character(packageVersion("lmerTest")),
    jsonlite = as.character(packageVersion("jsonlite"))
  ),
  cases = lapply(cases, describe)
)
writeLines(toJSON(out, digits = 15, auto_unbox = TRUE, pretty = TRUE, null = "null",
                  na = "null"), "organisations_r_results.json")
cat("wrote organisations_inputs.json and organisations_r_results.json\n")
