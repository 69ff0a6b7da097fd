# Golden values for imheval.stats, computed by R.
#
# Run from this folder:   Rscript make_golden.R
# Reads inputs.json, writes r_results.json (15 significant digits). The Python tests in
# test_against_r.py compare imheval.stats with every number written here; the test suite never
# needs R itself.  Debian packages: r-base-core r-cran-effectsize r-cran-jsonlite.
#
# effectsize finds CI bounds with optim() (abstol 1e-9), which is accurate to about 1e-6.
# So each CI is also computed here by uniroot() at tol 1e-13 ("exact"): imheval is compared
# tightly with the exact bound and loosely with effectsize's printed one.

options(es.use_symbols = FALSE, warn = 1)
suppressPackageStartupMessages({
  library(jsonlite)
  library(effectsize)
})

inp <- fromJSON("inputs.json", simplifyVector = TRUE)
num <- function(x) unname(as.numeric(x))
as_num <- function(x) { x[vapply(x, is.null, TRUE)] <- NA; as.numeric(unlist(x)) }

# The noncentrality parameter for which P(T <= t | ncp) equals prob (exact inversion).
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
# The noncentrality lambda for which P(F <= f | lambda) equals prob, 0 if none is positive.
ncp_f <- function(f, df1, df2, prob) {
  if (pf(f, df1, df2) <= prob) return(0)
  g <- function(l) pf(f, df1, df2, ncp = l) - prob
  hi <- max(1, f * df1)
  while (g(hi) > 0) hi <- hi * 2
  uniroot(g, c(0, hi), tol = 1e-13)$root
}

gain_anova <- function(y, g) {
  g <- factor(g)
  m <- aov(y ~ g)
  a <- summary(m)[[1]]
  e2 <- eta_squared(m, partial = TRUE, ci = 0.95, alternative = "two.sided")
  e2np <- eta_squared(m, partial = FALSE, ci = 0.95, alternative = "two.sided")
  w2 <- omega_squared(m, partial = FALSE, ci = 0.95, alternative = "two.sided")
  F <- a$`F value`[1]; df1 <- a$Df[1]; df2 <- a$Df[2]
  lam <- c(ncp_f(F, df1, df2, 0.975), ncp_f(F, df1, df2, 0.025))
  ssb <- a$`Sum Sq`[1]; ssw <- a$`Sum Sq`[2]; msw <- ssw / df2
  o <- list(
    F = F, df1 = df1, df2 = df2, p = a$`Pr(>F)`[1], ss_between = ssb, ss_within = ssw,
    eta2_partial = if (is.null(e2$Eta2_partial)) e2$Eta2 else e2$Eta2_partial,
    eta2_partial_ci95 = c(e2$CI_low, e2$CI_high),
    eta2 = e2np$Eta2, eta2_ci95 = c(e2np$CI_low, e2np$CI_high),
    eta2_ci95_exact = lam / (lam + df2),
    omega2 = w2$Omega2, omega2_raw = (ssb - df1 * msw) / (ssb + ssw + msw),
    group_means = as.list(tapply(y, g, mean)), group_n = as.list(c(table(g))))
  if (all(table(g) >= 2)) {
    ow <- oneway.test(y ~ g, var.equal = FALSE)
    o$welch <- list(F = num(ow$statistic), df1 = num(ow$parameter[1]),
                    df2 = num(ow$parameter[2]), p = ow$p.value)
  }
  o
}

paired_block <- function(ds) {
  pre <- as_num(ds$pre); post <- as_num(ds$post)
  ok <- complete.cases(pre, post)
  g <- if (is.null(ds$group)) NULL else unlist(ds$group)[ok]
  pre <- pre[ok]; post <- post[ok]; d <- post - pre; n <- length(d)
  tt <- t.test(post, pre, paired = TRUE)
  t <- num(tt$statistic); df <- num(tt$parameter)
  o <- list(n_pairs = n, mean_pre = mean(pre), mean_post = mean(post), sd_pre = sd(pre),
            sd_post = sd(post), sd_diff = sd(d), r_prepost = cor(pre, post))
  o$t_test <- list(t = t, df = df, p = tt$p.value, estimate = num(tt$estimate),
                   ci95 = num(tt$conf.int))
  J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  exact <- ncp_t_ci(t, df) / sqrt(n)
  dz <- cohens_d(post, pre, paired = TRUE, ci = 0.95)
  gz <- hedges_g(post, pre, paired = TRUE, ci = 0.95)
  o$cohens_dz <- list(est = dz$Cohens_d, ci95 = c(dz$CI_low, dz$CI_high), ci95_exact = exact)
  o$hedges_gz <- list(est = gz$Hedges_g, ci95 = c(gz$CI_low, gz$CI_high), ci95_exact = exact * J)
  o$d_av <- mean(d) / sqrt((var(pre) + var(post)) / 2)
  o$d_rm <- mean(d) / sd(d) * sqrt(2 * (1 - cor(pre, post)))
  o$r_from_t <- sqrt(t^2 / (t^2 + df))
  w <- wilcox.test(post, pre, paired = TRUE)
  o$wilcoxon <- list(V = num(w$statistic), p = w$p.value, method = w$method,
                     exact = !grepl("continuity", w$method) && n < 50)
  rb <- rank_biserial(post - pre, ci = 0.95)
  o$rank_biserial <- list(est = rb$r_rank_biserial, ci95 = c(rb$CI_low, rb$CI_high))
  # effectsize 0.8.3 with paired = TRUE counts non-zero *post* values, not non-zero
  # differences, for the CI; kept only to document the difference (see README.md).
  rbp <- rank_biserial(post, pre, paired = TRUE, ci = 0.95)
  o$rank_biserial_paired_quirk <- list(est = rbp$r_rank_biserial, ci95 = c(rbp$CI_low, rbp$CI_high))
  sw <- shapiro.test(d)
  o$shapiro_diff <- list(W = num(sw$statistic), p = sw$p.value)
  if (!is.null(g)) o$gain_anova <- gain_anova(d, g)
  o
}

out <- list()
out$paired <- lapply(inp$paired, paired_block)

grp <- inp$groups$three_groups_unequal
out$groups <- list(three_groups_unequal = gain_anova(grp$values, grp$group))

tg <- inp$groups$two_groups_unequal
a <- tg$a; b <- tg$b
wt <- t.test(a, b, var.equal = FALSE)
cd <- cohens_d(a, b, ci = 0.95)
hg <- hedges_g(a, b, ci = 0.95)
na <- length(a); nb <- length(b); dfp <- na + nb - 2
sp <- sqrt(((na - 1) * var(a) + (nb - 1) * var(b)) / dfp)
tp <- (mean(a) - mean(b)) / (sp * sqrt(1 / na + 1 / nb))
exact <- ncp_t_ci(tp, dfp) * sqrt(1 / na + 1 / nb)
Jp <- exp(lgamma(dfp / 2) - log(sqrt(dfp / 2)) - lgamma((dfp - 1) / 2))
out$groups$two_groups_unequal <- list(
  welch_t = list(t = num(wt$statistic), df = num(wt$parameter), p = wt$p.value,
                 estimate = num(wt$estimate[1] - wt$estimate[2]), ci95 = num(wt$conf.int)),
  cohens_d = list(est = cd$Cohens_d, ci95 = c(cd$CI_low, cd$CI_high), ci95_exact = exact),
  hedges_g = list(est = hg$Hedges_g, ci95 = c(hg$CI_low, hg$CI_high), ci95_exact = exact * Jp),
  sd_pooled = sp)

out$shapiro <- lapply(inp$shapiro, function(x) {
  s <- shapiro.test(x); list(W = num(s$statistic), p = s$p.value)
})

pv <- as_num(inp$pvalues$p)
out$holm <- list(p = pv, adjusted = p.adjust(pv, method = "holm"))

out$R_version <- R.version.string
out$packages <- list(effectsize = as.character(packageVersion("effectsize")),
                     jsonlite = as.character(packageVersion("jsonlite")),
                     stats = as.character(packageVersion("stats")))
write_json(out, "r_results.json", digits = I(15), auto_unbox = TRUE, pretty = TRUE, na = "null")
cat("wrote r_results.json\n")
