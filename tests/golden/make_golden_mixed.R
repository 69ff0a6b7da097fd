# Golden values for imheval.stats.mixed's t-tests, computed by R's lme4 and lmerTest.
#
# Run from this folder:   Rscript make_golden_mixed.R
# Simulates five long tables (set.seed below, so the run is reproducible), adds one written out
# in full (edge_participant: a table on which imheval's search once stopped at a zero variance),
# writes them to mixed_inputs.json, fits each by REML and writes mixed_r_results.json (15
# significant digits).
# test_mixed_against_r.py compares imheval with every number written here; the test suite never
# needs R itself. Debian packages: r-base-core r-cran-jsonlite r-cran-lme4 r-cran-lmertest.
#
# Each case is fitted with the model imheval's cohort rule chooses (5 or more cohorts: random):
#   random: lmerTest::lmer(score ~ time + (1 | cohort) + (1 | cohort:participant), REML = TRUE)
#   fixed:  lmerTest::lmer(score ~ time + cohort + (1 | participant), REML = TRUE)
# time is treatment-coded with reference "pre"; cohort levels are sorted (C locale).
# For every fixed-effect coefficient: the estimate, its SE (vcov), and lmerTest's t-test with
# Satterthwaite degrees of freedom: contest1D(fit, L, ddf = "Satterthwaite", confint = TRUE)
# gives df, t, p and the 95% CI estimate +- qt(.975, df) * SE. Also the variance components,
# the REML log-likelihood, isSingular() and any warning lmerTest gave.

options(warn = 1)
suppressPackageStartupMessages({
  library(jsonlite)
  library(lme4)
  library(lmerTest)
})

set.seed(20261124)

# One row per person per time: score = mean + cohort + person + gain(time) + noise, with some
# scores missing. `whole` rounds to whole points clipped to 0-`top` (a knowledge score);
# otherwise scores keep one decimal (a domain mean).
simulate <- function(sizes, times, gains, mean, sd_cohort, sd_person, sd_residual,
                     missing, whole = FALSE, top = 20, prefix = "C") {
  labels <- sprintf("%s%d", prefix, seq_along(sizes))
  rows <- list()
  for (k in seq_along(sizes)) {
    cohort_effect <- rnorm(1, 0, sd_cohort)
    for (i in seq_len(sizes[k])) {
      person_effect <- rnorm(1, 0, sd_person)
      for (t in seq_along(times)) {
        score <- mean + cohort_effect + person_effect + gains[t] + rnorm(1, 0, sd_residual)
        score <- if (whole) min(max(round(score), 0), top) else round(score, 1)
        if (runif(1) < missing[t]) next
        rows[[length(rows) + 1]] <- list(sprintf("P%03d", i), labels[k], times[t], score)
      }
    }
  }
  rows
}

# Rows from a table written one person to a line: participant, cohort, then the pre, post and
# follow-up scores (NA: no score at that time). Uses no random numbers, so adding such a case
# leaves the simulated ones as they were.
written_out <- function(text) {
  people <- read.table(text = text, col.names = c("participant", "cohort", TIME_NAMES),
                       colClasses = c("character", "character", rep("numeric", 3)))
  rows <- list()
  for (i in seq_len(nrow(people))) {
    for (t in TIME_NAMES) {
      score <- people[[t]][i]
      if (is.na(score)) next
      rows[[length(rows) + 1]] <- list(people$participant[i], people$cohort[i], t, score)
    }
  }
  rows
}
TIME_NAMES <- c("pre", "post", "followup")

cases <- list(
  demo_like_three_cohorts = list(
    description = paste(
      "about 500 people in 3 cohorts of unequal size, pre and post, whole-point scores 0-20,",
      "4% of pre and 8% of post scores missing: cohort fixed (fewer than 5 cohorts)"),
    cohort_effect = "fixed",
    rows = simulate(c(150, 170, 190), c("pre", "post"), c(0, 3.5), 11, 1, 2.5, 2,
                    c(0.04, 0.08), whole = TRUE)),
  seven_cohorts = list(
    description = paste(
      "7 cohorts of 6 to 20 people, pre and post, one-decimal scores, 10% of post missing:",
      "cohort random"),
    cohort_effect = "random",
    rows = simulate(c(6, 9, 12, 14, 16, 18, 20), c("pre", "post"), c(0, 0.6), 3, 0.35, 0.5,
                    0.45, c(0, 0.1), prefix = "K")),
  followup_six_cohorts = list(
    description = paste(
      "6 cohorts of 8 to 16 people, pre, post and follow-up (25% of follow-ups missing):",
      "cohort random"),
    cohort_effect = "random",
    rows = simulate(c(8, 10, 11, 13, 14, 16), c("pre", "post", "followup"), c(0, 2, 1.4), 10,
                    1.2, 1.8, 1.5, c(0.02, 0.08, 0.25), whole = TRUE, prefix = "G")),
  followup_four_cohorts = list(
    description = paste(
      "4 cohorts of 10 to 25 people, pre, post and follow-up (30% of follow-ups missing):",
      "cohort fixed"),
    cohort_effect = "fixed",
    rows = simulate(c(10, 15, 20, 25), c("pre", "post", "followup"), c(0, 0.5, 0.3), 3.2, 0.2,
                    0.4, 0.5, c(0, 0.1, 0.3), prefix = "F")),
  singular_cohort = list(
    description = paste(
      "5 cohorts of 6 people, pre and post, no true cohort effect: the cohort variance is",
      "estimated at zero (a singular fit), cohort random"),
    cohort_effect = "random",
    rows = simulate(rep(6, 5), c("pre", "post"), c(0, 1), 5, 0, 1, 0.8, c(0, 0), prefix = "S")),
  # Found by a random search (7 December 2026): imheval's search bounded at zero stepped next to
  # a participant variance of 0, where the deviance's slope is zero, and stopped (a singular
  # fit) although lme4 finds the optimum inside. Kept as the regression case for that fix.
  edge_participant = list(
    description = paste(
      "7 cohorts of 1 to 7 people, pre, post and follow-up, many scores missing: the",
      "participant variance is small but above zero (imheval once reported it as zero),",
      "cohort random"),
    cohort_effect = "random",
    rows = written_out("
      P0 C0  9.7 11.9   NA
      P1 C0 13.2 17.1 16.4
      P2 C0 12.1   NA   NA
      P0 C1 -0.6 -1.8  1.9
      P1 C1 -1.1 -0.3  4.9
      P2 C1 -2.8   NA   NA
      P3 C1 -2.4  2.4   NA
      P0 C2  4.6   NA   NA
      P1 C2  3.8  7.6   NA
      P2 C2  2.7  9.0  7.6
      P0 C3 10.2 12.5   NA
      P1 C3   NA 11.3   NA
      P2 C3  7.7 11.4 14.3
      P3 C3  9.1 10.5   NA
      P0 C4 13.7 11.9   NA
      P0 C5  6.6 11.7   NA
      P1 C5   NA 10.6   NA
      P0 C6 -0.8 -1.9   NA
      P1 C6   NA  1.4   NA
      P2 C6 -1.8  1.2   NA
      P3 C6  1.5   NA   NA
      P4 C6  0.0   NA   NA
      P5 C6 -0.2 -0.5   NA
      P6 C6   NA  3.2  4.7"))
)

long_frame <- function(rows) {
  L <- data.frame(participant = vapply(rows, `[[`, "", 1), cohort = vapply(rows, `[[`, "", 2),
                  time = vapply(rows, `[[`, "", 3), score = vapply(rows, `[[`, 0, 4),
                  stringsAsFactors = FALSE)
  L$time <- factor(L$time, levels = intersect(c("pre", "post", "followup"), unique(L$time)))
  L$cohort <- factor(L$cohort, levels = sort(unique(L$cohort), method = "radix"))
  L$participant <- factor(paste(L$cohort, L$participant, sep = ":"))
  L
}

num <- function(x) unname(as.numeric(x))

describe <- function(case) {
  L <- long_frame(case$rows)
  formula <- if (case$cohort_effect == "random") {
    score ~ time + (1 | cohort) + (1 | cohort:participant)
  } else {
    score ~ time + cohort + (1 | participant)
  }
  warnings <- character(0)
  fit <- withCallingHandlers(
    lmerTest::lmer(formula, data = L, REML = TRUE,
                   control = lmerControl(check.conv.singular = "ignore")),
    warning = function(w) {
      warnings <<- c(warnings, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  beta <- fixef(fit)
  tests <- lapply(seq_along(beta), function(j) {
    L1 <- numeric(length(beta))
    L1[j] <- 1
    row <- contest1D(fit, L1, ddf = "Satterthwaite", confint = TRUE, level = 0.95)
    list(estimate = num(row$Estimate), se = num(row$`Std. Error`), df = num(row$df),
         t = num(row$`t value`), p = num(row$`Pr(>|t|)`),
         ci = c(num(row$lower), num(row$upper)))
  })
  names(tests) <- names(beta)
  vc <- as.data.frame(VarCorr(fit))
  component <- function(name) { v <- vc$vcov[vc$grp == name]; if (length(v)) v else NULL }
  list(
    cohort_effect = case$cohort_effect,
    n_obs = nobs(fit),
    n_participants = nlevels(L$participant),
    n_cohorts = nlevels(L$cohort),
    fixed_effects = tests,
    var_cohort = component("cohort"),
    var_participant = if (!is.null(component("cohort:participant")))
      component("cohort:participant") else component("participant"),
    var_residual = component("Residual"),
    loglik_reml = num(logLik(fit)),
    singular = isSingular(fit),
    warnings = warnings
  )
}

inputs <- list(
  description = paste("Inputs for make_golden_mixed.R (simulated there with set.seed(20261124));",
                      "rows are participant, cohort, time, score."),
  columns = c("participant", "cohort", "time", "score"),
  cases = lapply(cases, function(case) {
    list(description = case$description, cohort_effect = case$cohort_effect,
         rows = lapply(case$rows, function(r) list(r[[1]], r[[2]], r[[3]], r[[4]])))
  })
)
writeLines(toJSON(inputs, digits = 15, auto_unbox = TRUE, null = "null", na = "null"),
           "mixed_inputs.json")

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
                  na = "null"), "mixed_r_results.json")
cat("wrote mixed_inputs.json and mixed_r_results.json\n")
