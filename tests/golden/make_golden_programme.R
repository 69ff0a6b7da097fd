# Golden values for imheval.stats.mixed.interaction (the programme-by-time model and the
# cohort ICC of the change scores), computed by R.
#
# Run from this folder:   Rscript make_golden_programme.R
# Reads programme_inputs.json (simulated by make_programme_inputs.py), writes
# programme_r_results.json (15 significant digits). test_programme_against_r.py compares
# imheval with every number written here; the test suite never needs R itself.
# Debian packages: r-base-core r-cran-jsonlite r-cran-lme4 r-cran-lmertest.
#
# For each case, REML, time and programme treatment-coded (levels sorted, "pre" reference):
#   slopes:      lmer(score ~ time * programme + (1 + time | cohort) + (1 | cohort:participant))
#   intercepts:  lmer(score ~ time * programme + (1 | cohort) + (1 | cohort:participant))
#   participant: lmer(score ~ time * programme + (1 | participant))   (participant = cohort:id)
# and records: fixed effects with lmerTest's Satterthwaite df, t, p; VarCorr; sigma; logLik;
# isSingular(); anova(model) (type III, Satterthwaite) for time:programme; each programme's
# change from pre (contest1D on the contrast time<t> + time<t>:programme<g>).
# The ICC: lmer(gain ~ 1 + (1 | cohort)), gain = post - pre per person with both.

options(warn = 1)
suppressPackageStartupMessages({
  library(jsonlite)
  library(lme4)
  library(lmerTest)
})

inp <- fromJSON("programme_inputs.json", simplifyVector = FALSE)
num <- function(x) unname(as.numeric(x))
formulas <- list(
  slopes = score ~ time * programme + (1 + time | cohort) + (1 | cohort:participant),
  intercepts = score ~ time * programme + (1 | cohort) + (1 | cohort:participant),
  participant = score ~ time * programme + (1 | person)
)

fit_one <- function(d, structure) {
  m <- lmer(formulas[[structure]], data = d, REML = TRUE)
  co <- summary(m)$coefficients
  vc <- VarCorr(m)
  cohort_cov <- if (structure == "participant") list() else {
    cm <- vc$cohort
    lapply(seq_len(nrow(cm)), function(i) num(cm[i, ]))
  }
  person <- if (structure == "participant") vc$person else vc[["cohort:participant"]]
  a <- anova(m, ddf = "Satterthwaite")
  row <- "time:programme"
  times <- levels(d$time)[-1]
  progs <- levels(d$programme)
  names_fixed <- colnames(model.matrix(m))
  changes <- list()
  for (g in progs) for (t in times) {
    L <- setNames(numeric(length(names_fixed)), names_fixed)
    L[paste0("time", t)] <- 1
    if (g != progs[1]) L[paste0("time", t, ":programme", g)] <- 1
    ct <- contest1D(m, L, confint = TRUE)
    changes[[length(changes) + 1]] <- list(
      programme = g, time = t, estimate = num(ct$Estimate), se = num(ct[["Std. Error"]]),
      df = num(ct$df), t = num(ct[["t value"]]), p = num(ct[["Pr(>|t|)"]]),
      lower = num(ct$lower), upper = num(ct$upper)
    )
  }
  list(
    structure = structure,
    singular = isSingular(m),
    terms = rownames(co),
    estimate = num(co[, "Estimate"]), se = num(co[, "Std. Error"]),
    df = num(co[, "df"]), t = num(co[, "t value"]), p = num(co[, "Pr(>|t|)"]),
    cohort_covariance = cohort_cov,
    participant_variance = num(person[1, 1]),
    residual_variance = num(sigma(m)^2),
    log_likelihood = num(logLik(m)),
    interaction = list(f = num(a[row, "F value"]), numdf = num(a[row, "NumDF"]),
                       dendf = num(a[row, "DenDF"]), p = num(a[row, "Pr(>F)"])),
    changes = changes
  )
}

out <- list(generated_with = list(
  R = R.version.string,
  lme4 = as.character(packageVersion("lme4")),
  lmerTest = as.character(packageVersion("lmerTest")),
  jsonlite = as.character(packageVersion("jsonlite"))
), cases = list())

for (name in names(inp$cases)) {
  case <- inp$cases[[name]]
  d <- as.data.frame(do.call(rbind, lapply(case$rows, function(r) {
    setNames(as.list(r), unlist(case$columns))
  })))
  d <- data.frame(lapply(d, unlist), stringsAsFactors = FALSE)
  d$score <- as.numeric(d$score)
  d$time <- factor(d$time, levels = intersect(c("pre", "post", "followup"), unique(d$time)))
  d$programme <- factor(d$programme, levels = sort(unique(d$programme), method = "radix"))
  d$cohort <- factor(d$cohort)
  d$person <- factor(paste(d$cohort, d$participant, sep = ":"))
  n_cohorts <- nlevels(d$cohort)
  res <- list(n_cohorts = n_cohorts)
  if (n_cohorts >= 5) {
    res$slopes <- fit_one(d, "slopes")
    res$intercepts <- fit_one(d, "intercepts")
  } else {
    res$participant <- fit_one(d, "participant")
  }
  pre <- d[d$time == "pre", ]
  post <- d[d$time == "post", ]
  both <- merge(pre, post, by = c("cohort", "participant"))
  both$gain <- both$score.y - both$score.x
  mi <- lmer(gain ~ 1 + (1 | cohort), data = both, REML = TRUE)
  vi <- as.data.frame(VarCorr(mi))
  res$icc <- list(
    n = nrow(both), n_cohorts = nlevels(droplevels(both$cohort)),
    cohort_variance = num(vi$vcov[vi$grp == "cohort"]),
    residual_variance = num(sigma(mi)^2), singular = isSingular(mi)
  )
  out$cases[[name]] <- res
}

writeLines(toJSON(out, auto_unbox = TRUE, digits = I(15), pretty = TRUE, null = "null"),
           "programme_r_results.json")
