# Reference values for the test-retest agreement statistics (tests/golden/test_retest_against_r.py).
#
# Reads retest_inputs.json and writes retest_r_results.json:
#   weighted_kappa: psych::cohen.kappa with levels = the whole scale: unweighted kappa and its
#     variance; quadratic-weighted kappa (psych's default weights 1 - (i - j)^2 / (k - 1)^2);
#     linear-weighted kappa (w = 1 - |i - j| / (k - 1) passed as w). The variance of a weighted
#     kappa is computed by hand with Fleiss, Cohen & Everitt (1969), written below without
#     matrix algebra shortcuts: psych 2.2.9's var.weighted multiplies each row total of the
#     weights by that row's own margin (roww <- rowSums(w * rs)) where the formula averages the
#     weights over the margins, so it differs whenever weights are not 0/1 (and is often
#     negative, which psych then sets to 0). psych's value is kept as psych_var_weighted, for
#     reference only.
#   option_kappa: psych::cohen.kappa on option positions (unweighted), and the right/wrong
#     kappa of the same answers (key position = right).
#   wilson: prop.test(x, n, correct = FALSE)$conf.int (the Wilson score interval).
#   bland_altman: bias, SD of differences, limits bias -+ qnorm(.975) SD, the t CI of the bias
#     and the Bland & Altman (1999) approximate CI of each limit,
#     SE = SD sqrt(1/n + z^2 / (2 (n - 1))), limit -+ qt(.975, n - 1) SE.
#   sem: from anova(lm(score ~ person + time)) (two-way, n people x 2 administrations):
#     var_administration = max(0, (MS_time - MS_residual) / n), var_residual = MS_residual,
#     SEM_agreement = sqrt(var_administration + var_residual), SEM_consistency = sqrt(MS_res),
#     SDC_individual = qnorm(.975) sqrt(2) SEM_agreement, SDC_group = SDC_individual / sqrt(n).
#   retention: share retained = mean(fu - pre) / mean(post - pre) over complete rows; Fieller's
#     95% CI found by uniroot on (m2 - theta m1)^2 - t^2 (s22 - 2 theta s12 + theta^2 s11) / n
#     on each side of the estimate (a different route from imheval's closed form); null when
#     the post gain is not significant (the set is then unbounded).
#
# Run: cd tests/golden && Rscript make_golden_retest.R && git diff retest_r_results.json

suppressPackageStartupMessages({
  library(jsonlite)
  library(psych)
})

inputs <- fromJSON("retest_inputs.json", simplifyVector = FALSE)

num <- function(values) vapply(values, function(v) if (is.null(v)) NA_real_ else as.numeric(v), 0)

fce_variance <- function(a, b, levels, w) {
  # Fleiss, Cohen & Everitt (1969), element by element.
  k <- length(levels)
  n <- length(a)
  p <- matrix(0, k, k)
  for (r in seq_len(n)) {
    i <- match(a[r], levels)
    j <- match(b[r], levels)
    p[i, j] <- p[i, j] + 1 / n
  }
  pi <- rowSums(p)
  pj <- colSums(p)
  po <- 0
  pe <- 0
  for (i in 1:k) for (j in 1:k) {
    po <- po + w[i, j] * p[i, j]
    pe <- pe + w[i, j] * pi[i] * pj[j]
  }
  wi <- sapply(1:k, function(i) sum(pj * w[i, ]))  # wbar_i. = sum_j p_.j w_ij
  wj <- sapply(1:k, function(j) sum(pi * w[, j]))  # wbar_.j = sum_i p_i. w_ij
  total <- 0
  for (i in 1:k) for (j in 1:k) {
    total <- total + p[i, j] * (w[i, j] * (1 - pe) - (wi[i] + wj[j]) * (1 - po))^2
  }
  list(kappa = (po - pe) / (1 - pe),
       var = (total - (po * pe - 2 * pe + po)^2) / (n * (1 - pe)^4))
}

kappa_case <- function(case) {
  a <- num(case$a)
  b <- num(case$b)
  ok <- !is.na(a) & !is.na(b)
  a <- a[ok]
  b <- b[ok]
  levels <- num(case$levels)
  k <- length(levels)
  linear <- outer(1:k, 1:k, function(i, j) 1 - abs(i - j) / (k - 1))
  quadratic <- outer(1:k, 1:k, function(i, j) 1 - (i - j)^2 / (k - 1)^2)
  q <- suppressWarnings(suppressMessages(cohen.kappa(cbind(a, b), levels = levels)))
  l <- suppressWarnings(suppressMessages(cohen.kappa(cbind(a, b), w = linear, levels = levels)))
  fl <- fce_variance(a, b, levels, linear)
  fq <- fce_variance(a, b, levels, quadratic)
  fu <- fce_variance(a, b, levels, diag(k))
  list(
    n = length(a),
    exact_agreement = mean(a == b),
    within_one = mean(abs(a - b) <= 1),
    unweighted = list(kappa = q$kappa, var = q$var.kappa, var_by_hand = fu$var),
    linear = list(kappa = l$weighted.kappa, kappa_by_hand = fl$kappa, var = fl$var,
                  psych_var_weighted = l$var.weighted),
    quadratic = list(kappa = q$weighted.kappa, kappa_by_hand = fq$kappa, var = fq$var,
                     psych_var_weighted = q$var.weighted)
  )
}

option_case <- function(case) {
  a <- num(case$a)
  b <- num(case$b)
  key <- as.numeric(case$key)
  opt <- suppressWarnings(suppressMessages(cohen.kappa(cbind(a, b))))
  right_a <- as.numeric(a == key)
  right_b <- as.numeric(b == key)
  score <- suppressWarnings(suppressMessages(cohen.kappa(cbind(right_a, right_b))))
  list(
    n = length(a),
    option = list(agreement = mean(a == b), kappa = opt$kappa, var = opt$var.kappa),
    score = list(agreement = mean(right_a == right_b), kappa = score$kappa,
                 var = score$var.kappa)
  )
}

wilson_case <- function(pair) {
  x <- pair[[1]]
  n <- pair[[2]]
  ci <- prop.test(x, n, correct = FALSE)$conf.int
  list(x = x, n = n, low = ci[1], high = ci[2])
}

agreement_case <- function(case) {
  t1 <- num(case$t1)
  t2 <- num(case$t2)
  ok <- !is.na(t1) & !is.na(t2)
  t1 <- t1[ok]
  t2 <- t2[ok]
  n <- length(t1)
  d <- t2 - t1
  bias <- mean(d)
  s <- sd(d)
  z <- qnorm(0.975)
  t <- qt(0.975, n - 1)
  se_limit <- s * sqrt(1 / n + z^2 / (2 * (n - 1)))
  lower <- bias - z * s
  upper <- bias + z * s
  long <- data.frame(score = c(t1, t2), person = factor(rep(seq_len(n), 2)),
                     time = factor(rep(1:2, each = n)))
  table <- anova(lm(score ~ person + time, data = long))
  ms_time <- table["time", "Mean Sq"]
  ms_res <- table["Residuals", "Mean Sq"]
  var_admin <- max(0, (ms_time - ms_res) / n)
  sem <- sqrt(var_admin + ms_res)
  sdc <- z * sqrt(2) * sem
  list(
    n = n,
    bland_altman = list(
      bias = bias, sd = s,
      bias_ci = c(bias - t * s / sqrt(n), bias + t * s / sqrt(n)),
      lower = lower, upper = upper,
      lower_ci = c(lower - t * se_limit, lower + t * se_limit),
      upper_ci = c(upper - t * se_limit, upper + t * se_limit)
    ),
    sem = list(
      ms_time = ms_time, ms_residual = ms_res, var_administration = var_admin,
      sem_agreement = sem, sem_consistency = sqrt(ms_res),
      sdc_individual = sdc, sdc_group = sdc / sqrt(n)
    )
  )
}

retention_case <- function(case) {
  pre <- num(case$pre)
  post <- num(case$post)
  fu <- num(case$followup)
  ok <- !is.na(pre) & !is.na(post) & !is.na(fu)
  g1 <- post[ok] - pre[ok]
  g2 <- fu[ok] - pre[ok]
  n <- length(g1)
  m1 <- mean(g1)
  m2 <- mean(g2)
  s11 <- var(g1)
  s22 <- var(g2)
  s12 <- cov(g1, g2)
  t2 <- qt(0.975, n - 1)^2
  share <- m2 / m1
  f <- function(theta) (m2 - theta * m1)^2 - t2 * (s22 - 2 * theta * s12 + theta^2 * s11) / n
  significant <- abs(m1) / sqrt(s11 / n) > sqrt(t2)
  ci <- NULL
  if (significant) {
    step <- 1
    while (f(share - step) <= 0) step <- step * 2
    low <- uniroot(f, c(share - step, share), tol = 1e-14)$root
    step <- 1
    while (f(share + step) <= 0) step <- step * 2
    high <- uniroot(f, c(share, share + step), tol = 1e-14)$root
    ci <- c(low, high)
  }
  list(n = n, share_retained = share, significant_gain = significant, ci = ci)
}

results <- list(
  generated_by = "make_golden_retest.R",
  r_version = R.version.string,
  psych_version = as.character(packageVersion("psych")),
  weighted_kappa = lapply(inputs$weighted_kappa, kappa_case),
  option_kappa = lapply(inputs$option_kappa, option_case),
  wilson = lapply(inputs$wilson, wilson_case),
  agreement = lapply(inputs$bland_altman, agreement_case),
  retention = lapply(inputs$retention, retention_case)
)

writeLines(toJSON(results, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
           "retest_r_results.json")
