# Golden values for imheval.stats.ancova, imheval.stats.gain and the Wilson facility CIs
# (imheval.stats.items.wilson_ci), computed by R.
#
# Run from this folder:   Rscript make_golden_gains.R
# Reads gains_inputs.json (written once by make_gains_inputs.py), writes gains_r_results.json
# (15 significant digits). test_gains_against_r.py compares imheval with every number here; the
# test suite never needs R itself. Debian packages: r-base-core r-cran-jsonlite.
#
# - ANCOVA: group a factor with sorted levels (R's default), treatment contrasts.
#     reduced <- lm(post ~ pre); full <- lm(post ~ pre + group); sep <- lm(post ~ pre * group)
#     anova(reduced, full): F, df (k - 1, N - k - 1), p for the group adjusted for pre (type II
#     for the group term; base anova() of one model is type I, which for "group" entered last
#     is the same number). Partial eta squared = SS_group / (SS_group + RSS_full); its 95% CI
#     inverts the noncentral F (pf with ncp, uniroot), lambda / (lambda + df2), as
#     effectsize::F_to_eta2 (effectsize is not installed here, so the inversion is written out).
#     Common slope and its SE: coef / vcov of full. Adjusted means:
#     predict(full, data.frame(pre = mean(pre), group = levels), se.fit = TRUE) with t(df_resid)
#     CIs. Slopes check: anova(full, sep).
# - Normalised gain (Hake's g), by hand: g = (post - pre) / (max - pre) where pre < max; mean,
#   median, count at max, count of losses, lowest; class g = (mean post - mean pre) /
#   (max - mean pre).
# - Wilson score intervals: prop.test(x, n, correct = FALSE)$conf.int.

options(warn = 1)
suppressPackageStartupMessages(library(jsonlite))

inp <- fromJSON("gains_inputs.json", simplifyVector = TRUE)
num <- function(x) unname(as.numeric(x))

eta_ci <- function(f, df1, df2, level = 0.95) {
  alpha <- 1 - level
  bound <- function(target) {
    if (pf(f, df1, df2) <= target) return(0)
    fn <- function(ncp) pf(f, df1, df2, ncp = ncp) - target
    hi <- max(10, f * df1 * 4)
    while (fn(hi) > 0) hi <- hi * 2
    uniroot(fn, c(0, hi), tol = 1e-13)$root
  }
  lambdas <- c(bound(1 - alpha / 2), bound(alpha / 2))
  lambdas / (lambdas + df2)
}

out <- list(generated_with = list(R = R.version.string,
                                  jsonlite = as.character(packageVersion("jsonlite"))))

out$ancova <- lapply(inp$ancova, function(d) {
  data <- data.frame(pre = num(d$pre), post = num(d$post), group = factor(d$group))
  reduced <- lm(post ~ pre, data)
  full <- lm(post ~ pre + group, data)
  sep <- lm(post ~ pre * group, data)
  a <- anova(reduced, full)
  f <- a$F[2]; df1 <- a$Df[2]; df2 <- a$Res.Df[2]
  ss_group <- a$`Sum of Sq`[2]; rss_full <- a$RSS[2]
  grid <- data.frame(pre = mean(data$pre), group = factor(levels(data$group),
                                                           levels = levels(data$group)))
  pred <- predict(full, grid, se.fit = TRUE)
  crit <- qt(0.975, full$df.residual)
  s <- anova(full, sep)
  list(
    n = nrow(data), groups = levels(data$group),
    f = f, df = c(df1, df2), p = a$`Pr(>F)`[2],
    partial_eta_squared = ss_group / (ss_group + rss_full),
    partial_eta_squared_ci = eta_ci(f, df1, df2),
    slope = num(coef(full)["pre"]), slope_se = sqrt(vcov(full)["pre", "pre"]),
    mean_pre = mean(data$pre),
    adjusted_mean = num(pred$fit), adjusted_se = num(pred$se.fit),
    adjusted_ci_low = num(pred$fit - crit * pred$se.fit),
    adjusted_ci_high = num(pred$fit + crit * pred$se.fit),
    slopes_f = s$F[2], slopes_df = c(s$Df[2], s$Res.Df[2]), slopes_p = s$`Pr(>F)`[2]
  )
})

out$normalised <- lapply(inp$normalised, function(d) {
  pre <- num(d$pre); post <- num(d$post); top <- d$maximum
  room <- pre < top
  g <- (post[room] - pre[room]) / (top - pre[room])
  list(n = length(pre), n_at_maximum = sum(!room), n_analysed = sum(room),
       mean = mean(g), median = median(g), n_lost = sum(g < 0), lowest = min(g),
       hake_g = (mean(post) - mean(pre)) / (top - mean(pre)))
})

out$wilson <- lapply(seq_len(nrow(inp$wilson)), function(i) {
  x <- inp$wilson[i, 1]; n <- inp$wilson[i, 2]
  ci <- suppressWarnings(prop.test(x, n, correct = FALSE)$conf.int)
  list(x = x, n = n, low = ci[1], high = ci[2])
})

writeLines(toJSON(out, digits = I(15), auto_unbox = TRUE, pretty = TRUE),
           "gains_r_results.json")
