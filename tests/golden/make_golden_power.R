# Golden values for imheval.stats.power (planning a study), computed by R.
#
# Run from this folder:   Rscript make_golden_power.R
# Reads power_inputs.json, writes power_r_results.json (15 significant digits). The Python
# tests in test_power_against_r.py compare imheval with every number written here; the test
# suite never needs R itself. Takes about 3 minutes (the simulation).
# Debian packages: r-base-core r-cran-jsonlite r-cran-pwr r-cran-lme4 r-cran-lmertest.
#
# - Paired t power: pwr::pwr.t.test(n, d, sig.level, type = "paired")$power (noncentral t,
#   df = n - 1, ncp = d * sqrt(n)), also for fractional n.
# - Pairs needed: pwr.t.test(d, power, sig.level, type = "paired")$n (uniroot, tolerance about
#   1e-4), its ceiling, and the smallest whole n whose pwr power reaches the target (n_min,
#   found by stepping from that ceiling: what imheval must give).
# - Smallest detectable d_z: uniroot on pwr's power with tol 1e-13 (pwr.t.test's own d uses
#   uniroot's default tolerance, about 1e-4, too loose for a golden value; it is kept as d_pwr).
# - Plans: the arithmetic of issue 18, 4, by hand (ceil/floor after removing 1e-9 relative
#   floating-point noise, as imheval does), power by pwr.
# - Designs (K cohorts of M, ICC R of the change, attrition A, m = M * (1 - A)):
#     participant: deff = 1 + (m - 1) * R, pwr power with n = K * m / deff;
#     cohort: noncentral t by hand with pt/qt: df = K - 1,
#             ncp = sqrt(K) * d / sqrt(R + (1 - R) / m).
# - Simulation (an R simulation in the style of simr, with different random numbers from
#   imheval's): pre = a_k + p_kj + e1, post = a_k + p_kj + d + c_k + e2, a_k ~ N(0, 0.3^2),
#   p_kj ~ N(0, 1), c_k ~ N(0, R), e ~ N(0, (1 - R) / 2); each person lost before the post-test
#   with probability A. Tests: lmerTest's Satterthwaite p for timepost in
#   lmer(score ~ time + (1 | cohort) + (1 | cohort:participant)) (imheval's model with 5 or more
#   cohorts); the paired t on people with t / sqrt(deff) on n / deff - 1 df; the one-sample t
#   on cohort mean changes. Power = share of p < alpha, with its Monte Carlo SE.

options(warn = 1)
suppressPackageStartupMessages({
  library(jsonlite)
  library(pwr)
  library(lme4)
  library(lmerTest)
})

inp <- fromJSON("power_inputs.json", simplifyVector = FALSE)
nums <- function(x) as.numeric(unlist(x))
pw <- function(n, d, alpha) pwr.t.test(n = n, d = d, sig.level = alpha, type = "paired")$power
ceil_ <- function(x) ceiling(x - 1e-9 * max(1, abs(x)))
floor_ <- function(x) floor(x + 1e-9 * max(1, abs(x)))

out <- list(
  generated_with = list(
    R = R.version.string,
    pwr = as.character(packageVersion("pwr")),
    lme4 = as.character(packageVersion("lme4")),
    lmerTest = as.character(packageVersion("lmerTest")),
    jsonlite = as.character(packageVersion("jsonlite"))
  )
)

# --- power for given pairs and effect -------------------------------------------------------
g <- inp$power_grid
out$power <- list()
for (d in nums(g$effects)) for (n in nums(g$pairs)) for (a in nums(g$alphas)) {
  out$power[[length(out$power) + 1]] <- list(effect = d, pairs = n, alpha = a, power = pw(n, d, a))
}

# --- pairs needed for a power ---------------------------------------------------------------
g <- inp$n_grid
out$pairs_needed <- list()
for (d in nums(g$effects)) for (p in nums(g$powers)) for (a in nums(g$alphas)) {
  n_pwr <- pwr.t.test(d = d, power = p, sig.level = a, type = "paired")$n
  n <- max(2, ceiling(n_pwr))
  while (n > 2 && pw(n - 1, d, a) >= p) n <- n - 1
  while (pw(n, d, a) < p) n <- n + 1
  out$pairs_needed[[length(out$pairs_needed) + 1]] <- list(
    effect = d, power = p, alpha = a, n_pwr = n_pwr, n_ceiling = ceiling(n_pwr), n_min = n,
    power_at_n_min = pw(n, d, a)
  )
}

# --- smallest detectable effect -------------------------------------------------------------
g <- inp$detectable_grid
out$detectable <- list()
for (n in nums(g$pairs)) for (p in nums(g$powers)) for (a in nums(g$alphas)) {
  root <- uniroot(function(d) pw(n, d, a) - p, c(1e-6, 50), tol = 1e-13)$root
  d_pwr <- pwr.t.test(n = n, power = p, sig.level = a, type = "paired")$d
  out$detectable[[length(out$detectable) + 1]] <- list(
    pairs = n, power = p, alpha = a, effect = root, d_pwr = d_pwr
  )
}

# --- plans (the contract of imheval plan --json) --------------------------------------------
out$plans <- lapply(inp$plans, function(pl) {
  alpha <- if (is.null(pl$alpha)) 0.05 else pl$alpha
  A <- if (is.null(pl$attrition)) 0 else pl$attrition
  M <- pl$cohort_size
  deff <- if (!is.null(M) && !is.null(pl$icc)) 1 + (M - 1) * pl$icc else 1
  if (!is.null(pl$power)) {
    n_pwr <- pwr.t.test(d = pl$effect, power = pl$power, sig.level = alpha, type = "paired")$n
    n <- ceiling(n_pwr)
    while (n > 2 && pw(n - 1, pl$effect, alpha) >= pl$power) n <- n - 1
    while (pw(n, pl$effect, alpha) < pl$power) n <- n + 1
    analysed <- if (deff != 1) ceil_(n * deff) else n
    needed <- ceil_(analysed / (1 - A))
    pairs <- n
    power <- pw(analysed / deff, pl$effect, alpha)
  } else {
    needed <- pl$people
    analysed <- floor_(needed * (1 - A))
    pairs <- analysed / deff
    power <- pw(pairs, pl$effect, alpha)
  }
  list(
    pairs = pairs, design_effect = deff, people_analysed = analysed, people_needed = needed,
    cohorts_needed = if (is.null(M)) NULL else ceil_(needed / M), power = power
  )
})

# --- designs: participant and cohort closed forms -------------------------------------------
nct_power <- function(df, ncp, a) {
  q <- qt(1 - a / 2, df)
  pt(q, df, ncp = ncp, lower.tail = FALSE) + pt(-q, df, ncp = ncp, lower.tail = TRUE)
}
out$designs <- lapply(inp$designs, function(ds) {
  m <- ds$cohort_size * (1 - ds$attrition)
  deff <- 1 + (max(m, 1) - 1) * ds$icc
  n_eff <- ds$cohorts * m / deff
  scale <- sqrt(ds$icc + (1 - ds$icc) / m)
  K <- ds$cohorts
  list(
    analysed_per_cohort = m, design_effect = deff,
    participant_df = n_eff - 1, participant_power = pw(n_eff, ds$effect, ds$alpha),
    participant_power_by_hand = nct_power(n_eff - 1, ds$effect * sqrt(n_eff), ds$alpha),
    cohort_df = K - 1,
    cohort_power = nct_power(K - 1, sqrt(K) * ds$effect / scale, ds$alpha),
    participant_detectable = uniroot(
      function(d) pw(n_eff, d, ds$alpha) - 0.8, c(1e-6, 50), tol = 1e-13)$root,
    cohort_detectable = scale * uniroot(
      function(d) nct_power(K - 1, sqrt(K) * d, ds$alpha) - 0.8, c(1e-6, 50), tol = 1e-13)$root
  )
})

# --- simulation -------------------------------------------------------------------------------
sims <- inp$simulations
set.seed(sims$seed)
one_study <- function(ds) {
  K <- ds$cohorts; M <- ds$cohort_size; R <- ds$icc
  cohort <- rep(seq_len(K), each = M)
  level <- rnorm(K, 0, sims$cohort_level_sd)[cohort] + rnorm(K * M, 0, sims$person_level_sd)
  change_c <- rnorm(K, 0, sqrt(R))[cohort]
  e_sd <- sqrt((1 - R) / 2)
  pre <- level + rnorm(K * M, 0, e_sd)
  post <- level + ds$effect + change_c + rnorm(K * M, 0, e_sd)
  kept <- runif(K * M) >= ds$attrition
  change <- (post - pre)[kept]
  m <- M * (1 - ds$attrition)
  deff <- 1 + (max(m, 1) - 1) * R
  n <- length(change)
  t_part <- mean(change) / (sd(change) / sqrt(n)) / sqrt(deff)
  df_part <- n / deff - 1
  part <- df_part > 0 && abs(t_part) > qt(1 - ds$alpha / 2, df_part)
  means <- tapply(change, cohort[kept], mean)
  coh <- length(means) >= 2 && t.test(means)$p.value < ds$alpha
  long <- data.frame(
    participant = factor(c(seq_len(K * M), seq_len(K * M)[kept])),
    cohort = factor(c(cohort, cohort[kept])),
    time = factor(c(rep("pre", K * M), rep("post", sum(kept))), levels = c("pre", "post")),
    score = c(pre, post[kept])
  )
  fit <- suppressMessages(suppressWarnings(
    lmerTest::lmer(score ~ time + (1 | cohort) + (1 | cohort:participant), data = long)))
  p_mixed <- summary(fit)$coefficients["timepost", "Pr(>|t|)"]
  c(participant = part, cohort = coh, mixed = !is.na(p_mixed) && p_mixed < ds$alpha)
}
out$simulations <- list()
for (ds in sims$designs) {
  reps <- sims$replications
  hits <- rowSums(vapply(seq_len(reps), function(i) one_study(ds), logical(3)))
  pw_ <- hits / reps
  out$simulations[[ds$name]] <- list(
    replications = reps,
    participant_power = pw_[["participant"]], cohort_power = pw_[["cohort"]],
    mixed_power = pw_[["mixed"]],
    participant_se = sqrt(pw_[["participant"]] * (1 - pw_[["participant"]]) / reps),
    cohort_se = sqrt(pw_[["cohort"]] * (1 - pw_[["cohort"]]) / reps),
    mixed_se = sqrt(pw_[["mixed"]] * (1 - pw_[["mixed"]]) / reps)
  )
}

writeLines(toJSON(out, auto_unbox = TRUE, digits = I(15), pretty = TRUE, null = "null"),
           "power_r_results.json")
