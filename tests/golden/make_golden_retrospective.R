# Golden values for the retrospective pre-test (imheval.evaluation.retrospective), by R.
#
# Run from this folder:   Rscript make_golden_retrospective.R
# Reads retrospective_responses.csv and retrospective_post_only.csv (written by
# make_retrospective_inputs.py; instrument retrospective_instrument.yaml) and writes
# retrospective_r_results.json (15 significant digits). test_retrospective_against_r.py
# compares imheval with every number here; the test suite never needs R itself.
# Debian packages: r-base-core r-cran-jsonlite.
#
# Scored by hand from the raw answers, as the instrument says: c1, c2, c3 are retrospective
# rating items on 1..5 (c3 reversed: 6 - answer); an answer is a whole number on the scale or
# a scale label ("Very confident" = 5, "Not at all confident" = 1), anything else is invalid.
# The then total is the sum of c1@then..c3@then on the post-test row, the now total the sum of
# c1..c3 on the same row, the pre total the sum of c1..c3 on the person's pre-test row (same
# cohort and code); a total with any blank or invalid answer is missing (complete case).
# - then to now: t.test(now, then, paired = TRUE); wilcox.test(now, then, paired = TRUE)
# - response shift: t.test(then, pre, paired = TRUE); pre to now: t.test(now, pre, paired = TRUE)
# - d_z = mean(d) / sd(d); its 95% CI inverts the noncentral t exactly (uniroot, tol 1e-13)
#   and divides by sqrt(n), as make_golden.R; Hedges' g_z = d_z * J(n - 1) with the exact J.

options(warn = 1)
suppressPackageStartupMessages(library(jsonlite))

ncp_t <- function(t, df, prob) {
  f <- function(ncp) pt(t, df, ncp) - prob
  lo <- t - 1; hi <- t + 1
  while (f(lo) < 0) lo <- lo - 2 * abs(lo - t) - 1
  while (f(hi) > 0) hi <- hi + 2 * abs(hi - t) + 1
  uniroot(f, c(lo, hi), tol = 1e-13)$root
}
ncp_t_ci <- function(t, df, level = 0.95) {
  a <- 1 - level
  c(ncp_t(t, df, 1 - a / 2), ncp_t(t, df, a / 2))
}
hedges_j <- function(df) exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))

labels <- c("not at all confident" = 1, "very confident" = 5)
points <- function(x, reverse = FALSE) {
  x <- trimws(x)
  v <- ifelse(grepl("^[+-]?[0-9]+(\\.0*)?$", x), suppressWarnings(as.integer(sub("\\..*$", "", x))),
              unname(labels[tolower(x)]))
  v[!is.na(v) & (v < 1 | v > 5)] <- NA
  if (reverse) 6 - v else v
}
total <- function(rows, suffix = "") {
  points(rows[[paste0("c1", suffix)]]) + points(rows[[paste0("c2", suffix)]]) +
    points(rows[[paste0("c3", suffix)]], reverse = TRUE)
}

paired <- function(before, after) {
  tt <- t.test(after, before, paired = TRUE)
  d <- after - before
  n <- length(d)
  df <- n - 1
  dz <- mean(d) / sd(d)
  ci <- ncp_t_ci(unname(tt$statistic), df) / sqrt(n)
  list(n = n, mean_before = mean(before), mean_after = mean(after),
       t = unname(tt$statistic), df = unname(tt$parameter), p = tt$p.value,
       estimate = unname(tt$estimate), ci95 = as.numeric(tt$conf.int),
       d_z = dz, d_z_ci95 = ci, hedges_gz = dz * hedges_j(df),
       hedges_gz_ci95 = ci * hedges_j(df))
}

analyse <- function(file) {
  r <- read.csv(file, colClasses = "character", check.names = FALSE, na.strings = character(0))
  post <- r[r$timepoint == "post", ]
  pre <- r[r$timepoint == "pre", ]
  then <- total(post, "@then")
  now <- total(post)
  ok <- !is.na(then) & !is.na(now)
  out <- list(n = sum(ok), then_to_now = paired(then[ok], now[ok]))
  w <- wilcox.test(now[ok], then[ok], paired = TRUE)
  out$wilcoxon <- list(V = unname(w$statistic), p = w$p.value, method = w$method)
  key_post <- paste(post$cohort, post$participant)
  key_pre <- paste(pre$cohort, pre$participant)
  pre_total <- total(pre)[match(key_post, key_pre)]
  shift <- ok & !is.na(pre_total)
  out$n_with_pre <- sum(shift)
  if (sum(shift) >= 2) {
    out$response_shift <- paired(pre_total[shift], then[shift])
    out$pre_to_now <- paired(pre_total[shift], now[shift])
  }
  out
}

out <- list(
  generated_with = list(R = R.version.string,
                        jsonlite = as.character(packageVersion("jsonlite"))),
  responses = analyse("retrospective_responses.csv"),
  post_only = analyse("retrospective_post_only.csv")
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = I(15), pretty = TRUE, null = "null"),
           "retrospective_r_results.json")
