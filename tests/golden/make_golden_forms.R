# Golden values for parallel forms (imheval.scoring, imheval.stats.equating,
# imheval.evaluation.forms and the per-form deeper analyses), computed by hand formulas in base R.
#
# Run from this folder:   Rscript make_golden_forms.R
# Reads forms_responses.csv (made by make_forms_inputs.py), writes forms_r_results.json
# (15 significant digits). test_forms_against_r.py compares imheval's evaluation of the same
# file with every number written here; the test suite never needs R itself.
# Debian packages: r-base-core r-cran-jsonlite. (The 'equate' package is not packaged for
# Debian; its linear method with the random-groups design is the formula below.)
#
# - Each row's form: the 'form' cell, else the form whose items it answered.
# - Score: right answers ('a') on the row's form (a blank scores 0); percent of maximum
#   = score / 6 * 100 (both forms have six items).
# - Form difference at pre-test: mean(B) - mean(A), CI from t.test(B, A) (Welch).
# - Threshold of a negligible difference: half a raw point, 0.5 / 6 * 100; equated only when
#   the difference is at least that and its CI excludes 0.
# - Linear (mean-sigma) equating of B onto A (Kolen & Brennan 2014, random groups):
#   y = sd_A / sd_B * (x - mean_B) + mean_A, kept within 0..100, applied to every form-B row.
# - Matched people (same cohort and code at pre and post): mean change, t.test(paired).
# - KR-20 per form among matched people before training: k/(k-1) * (1 - sum(var(item)) /
#   var(total)) (alpha on 0/1 items, var with n - 1 as psych::alpha).
# - Reliable change per order (A then B, B then A): (post - pre) / (sqrt(2) * sd(pre) *
#   sqrt(1 - KR-20 of the first form)), counts beyond +-1.96.

options(warn = 1)
suppressPackageStartupMessages(library(jsonlite))

d <- read.csv("forms_responses.csv", colClasses = "character", na.strings = character(0))
items <- list(A = paste0("KA", 1:6), B = paste0("KB", 1:6))
answered <- function(form) rowSums(d[, items[[form]]] != "") > 0
inferred <- ifelse(answered("A") & !answered("B"), "A", ifelse(answered("B"), "B", ""))
d$form_used <- ifelse(d$form != "", d$form, inferred)
score <- numeric(nrow(d))
for (form in c("A", "B")) {
  on <- d$form_used == form
  score[on] <- rowSums(d[on, items[[form]]] == "a")
}
d$pomp <- score / 6 * 100

pre <- d$timepoint == "pre"
a <- d$pomp[pre & d$form_used == "A"]
b <- d$pomp[pre & d$form_used == "B"]
welch <- t.test(b, a)
slope <- sd(a) / sd(b)
intercept <- mean(a) - slope * mean(b)
threshold <- 0.5 / 6 * 100
difference <- mean(b) - mean(a)
equated <- d$pomp
beyond_chance <- welch$conf.int[1] > 0 || welch$conf.int[2] < 0
if (abs(difference) >= threshold && beyond_chance) {
  on_b <- d$form_used == "B"
  equated[on_b] <- pmin(pmax(slope * d$pomp[on_b] + intercept, 0), 100)
}
d$equated <- equated

key <- paste(d$cohort, d$participant)
pre_rows <- d[pre, ]
post_rows <- d[d$timepoint == "post", ]
both <- intersect(paste(pre_rows$cohort, pre_rows$participant),
                  paste(post_rows$cohort, post_rows$participant))
pre_m <- pre_rows[match(both, paste(pre_rows$cohort, pre_rows$participant)), ]
post_m <- post_rows[match(both, paste(post_rows$cohort, post_rows$participant)), ]
paired <- t.test(post_m$equated, pre_m$equated, paired = TRUE)

kr20 <- function(rows, form) {
  x <- sapply(items[[form]], function(i) as.numeric(rows[[i]] == "a"))
  k <- ncol(x)
  k / (k - 1) * (1 - sum(apply(x, 2, var)) / var(rowSums(x)))
}
reliability <- list(
  A = kr20(pre_m[pre_m$form_used == "A", ], "A"),
  B = kr20(pre_m[pre_m$form_used == "B", ], "B")
)
rci <- list()
for (order in list(c("A", "B"), c("B", "A"))) {
  chosen <- pre_m$form_used == order[1] & post_m$form_used == order[2]
  x <- pre_m$equated[chosen]
  y <- post_m$equated[chosen]
  r <- reliability[[order[1]]]
  index <- (y - x) / (sqrt(2) * sd(x) * sqrt(1 - r))
  rci[[paste0(order[1], order[2])]] <- list(
    n = sum(chosen), reliability = r, sd_pre = sd(x),
    minimum_reliable_change = 1.96 * sqrt(2) * sd(x) * sqrt(1 - r),
    n_improved = sum(index > 1.96), n_declined = sum(index < -1.96)
  )
}

out <- list(
  r_version = R.version.string,
  forms = d$form_used,
  percent_of_maximum = d$pomp,
  equating = list(
    n_reference = length(a), n_new = length(b),
    mean_reference = mean(a), sd_reference = sd(a), mean_new = mean(b), sd_new = sd(b),
    difference = difference, difference_ci = as.numeric(welch$conf.int),
    slope = slope, intercept = intercept, threshold = threshold,
    beyond_chance = beyond_chance,
    equated = abs(difference) >= threshold && beyond_chance
  ),
  equated_scores = d$equated,
  paired = list(
    n = length(both), mean_pre = mean(pre_m$equated), mean_post = mean(post_m$equated),
    t = unname(paired$statistic), df = unname(paired$parameter),
    ci = as.numeric(paired$conf.int)
  ),
  kr20_before = reliability,
  reliable_change = rci
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = I(15), pretty = TRUE), "forms_r_results.json")
