# Golden values for imheval.stats.change and imheval.stats.mixed, computed by R.
#
# Run from this folder:   Rscript make_golden_change.R
# Reads change_inputs.json, writes change_r_results.json (15 significant digits). The Python
# tests in test_change_against_r.py compare imheval with every number written here; the test
# suite never needs R itself.
# Debian packages: r-base-core r-cran-jsonlite r-cran-lme4 r-cran-lmertest.
#
# - Reliable change (Jacobson & Truax 1991): (post - pre) / (sqrt(2) * SD_pre * sqrt(1 - r_xx)),
#   SD_pre = sd() of the pre scores of complete pairs unless given.
# - Retention: column means of the people with pre, post and follow-up.
# - Mixed model, REML, time treatment-coded with reference "pre":
#     nested:  lme4::lmer(score ~ time + (1 | cohort) + (1 | cohort:participant))
#     fixed:   lme4::lmer(score ~ time + cohort + (1 | participant))   (cohort: sorted levels)
#   Fixed effects, their standard errors (vcov), variance components, REML log-likelihood and
#   isSingular(). lmerTest's Satterthwaite df and p are recorded too; imheval's t-tests are
#   lmerTest's, and test_mixed_against_r.py checks them (make_golden_mixed.R has more cases).
#   The "_reference_only" in their names is historical: they were once not compared.

options(warn = 1)
suppressPackageStartupMessages({
  library(jsonlite)
  library(lme4)
  library(lmerTest)
})

inp <- fromJSON("change_inputs.json", simplifyVector = TRUE)
as_num <- function(x) { x[vapply(x, is.null, TRUE)] <- NA; as.numeric(unlist(x)) }
num <- function(x) unname(as.numeric(x))

out <- list(
  generated_with = list(
    R = R.version.string,
    lme4 = as.character(packageVersion("lme4")),
    lmerTest = as.character(packageVersion("lmerTest")),
    jsonlite = as.character(packageVersion("jsonlite"))
  )
)

# --- reliable change -------------------------------------------------------------------------
out$rci <- lapply(inp$rci, function(d) {
  pre <- as_num(d$pre); post <- as_num(d$post)
  ok <- !is.na(pre) & !is.na(post)
  sd_pre <- if (is.null(d$sd_pre)) sd(pre[ok]) else d$sd_pre
  sem <- sd_pre * sqrt(1 - d$r_xx)
  se_diff <- sqrt(2) * sem
  rci <- rep(NA_real_, length(pre))
  rci[ok] <- (post[ok] - pre[ok]) / se_diff
  list(n = sum(ok), sd_pre = sd_pre, se_measurement = sem, se_diff = se_diff,
       minimum_reliable_change = 1.96 * se_diff, rci = rci,
       n_improved = sum(rci[ok] > 1.96), n_no_change = sum(abs(rci[ok]) <= 1.96),
       n_declined = sum(rci[ok] < -1.96))
})

# --- retention -------------------------------------------------------------------------------
out$retention <- lapply(inp$retention, function(d) {
  m <- cbind(as_num(d$pre), as_num(d$post), as_num(d$followup))
  m <- m[complete.cases(m), , drop = FALSE]
  means <- colMeans(m)
  list(n = nrow(m), mean_pre = means[[1]], mean_post = means[[2]], mean_followup = means[[3]],
       gain_post = means[[2]] - means[[1]], gain_followup = means[[3]] - means[[1]],
       share_retained = (means[[3]] - means[[1]]) / (means[[2]] - means[[1]]))
})

# --- mixed models ----------------------------------------------------------------------------
long_frame <- function(d) {
  rows <- d$rows
  L <- data.frame(participant = rows[, 1], cohort = rows[, 2], time = rows[, 3],
                  score = suppressWarnings(as.numeric(rows[, 4])), stringsAsFactors = FALSE)
  L <- L[!is.na(L$score), ]
  L$time <- factor(L$time, levels = intersect(c("pre", "post", "followup"), unique(L$time)))
  L$cohort <- factor(L$cohort, levels = sort(unique(L$cohort), method = "radix"))
  L$participant <- factor(paste(L$cohort, L$participant, sep = ":"))
  L
}

describe_fit <- function(fit) {
  s <- summary(fit, ddf = "Satterthwaite")
  vc <- as.data.frame(VarCorr(fit))
  comp <- function(name) { v <- vc$vcov[vc$grp == name]; if (length(v)) v else NULL }
  list(
    fixef = as.list(fixef(fit)),
    se = as.list(sqrt(diag(as.matrix(vcov(fit))))),
    var_cohort = comp("cohort"),
    var_participant = if (!is.null(comp("cohort:participant"))) comp("cohort:participant")
                      else comp("participant"),
    var_residual = comp("Residual"),
    loglik_reml = num(logLik(fit)),
    singular = isSingular(fit),
    n_obs = nobs(fit),
    satterthwaite_df_reference_only = as.list(s$coefficients[, "df"]),
    satterthwaite_p_reference_only = as.list(s$coefficients[, "Pr(>|t|)"])
  )
}

ctrl <- lmerControl(check.conv.singular = "ignore")
out$lmm <- lapply(inp$lmm, function(d) {
  L <- long_frame(d)
  nested <- lmerTest::lmer(score ~ time + (1 | cohort) + (1 | cohort:participant), data = L,
                           REML = TRUE, control = ctrl)
  fixed <- lmerTest::lmer(score ~ time + cohort + (1 | participant), data = L, REML = TRUE,
                          control = ctrl)
  list(n_obs = nrow(L), n_participants = nlevels(L$participant), n_cohorts = nlevels(L$cohort),
       nested = describe_fit(nested), fixed = describe_fit(fixed))
})

writeLines(toJSON(out, digits = 15, auto_unbox = TRUE, pretty = TRUE, null = "null",
                  na = "null"), "change_r_results.json")
cat("wrote change_r_results.json\n")
