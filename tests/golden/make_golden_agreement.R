# Reference values for imheval.qualitative.agreement (tests/golden/test_agreement_against_r.py).
#
# Reads agreement_inputs.json and writes agreement_r_results.json. Each coder's ranges are
# expanded to a 0/1 vector per source (a range [start, end) sets characters start+1..end in R's
# 1-based indexing, so overlapping ranges of one coder merge); with unit "turn", a turn is 1 for
# a coder when any of its characters is 1. Per source and pooled (the sources' vectors joined):
#   percent agreement by hand: the share of units on which every coder agrees;
#   Cohen's kappa: irr::kappa2 (two coders only);
#   Krippendorff's alpha: irr::kripp.alpha(method = "nominal") (coders in rows), checked
#   against the coincidence-matrix formula by hand (alpha_by_hand below).
# Undefined figures (R gives NaN, or stops) are written as null.
#
# irr's quirk: with no missing values, kripp.alpha divides each unit's pairs by 1 instead of by
# (coders in the unit - 1), which is right for two coders only. Appending one unit that nobody
# rated (all NA) makes irr use its missing-data path, which divides by (m_u - 1) as Krippendorff
# defines, and adds no pairs. So alpha is taken from irr with that unit appended; irr's plain
# value is kept as irr_kripp_alpha_quirk for three coders, for reference only.
#
# Run: cd tests/golden && Rscript make_golden_agreement.R && git diff agreement_r_results.json

suppressPackageStartupMessages({
  library(jsonlite)
  library(irr)
})

inputs <- fromJSON("agreement_inputs.json", simplifyVector = FALSE)

expand <- function(length, ranges) {
  coded <- integer(length)
  for (range in ranges) {
    start <- range[[1]]
    end <- range[[2]]
    if (end > start) coded[(start + 1):end] <- 1L
  }
  coded
}

units_of <- function(source, ranges, unit) {
  characters <- expand(source$length, ranges)
  if (unit == "character") return(characters)
  vapply(source$turns, function(turn) {
    as.integer(any(characters[(turn[[1]] + 1):turn[[2]]] == 1L))
  }, integer(1))
}

or_null <- function(value) {
  if (is.null(value) || length(value) != 1 || !is.finite(value)) NULL else unname(value)
}

alpha_by_hand <- function(ratings) {
  # Krippendorff (2011), nominal, every unit rated by all m coders, two values (0 and 1):
  # 1 - (n - 1) * sum_u j_u (m - j_u) / ((m - 1) * n_1 * n_0)
  m <- ncol(ratings)
  j <- rowSums(ratings)
  n <- length(ratings)
  n1 <- sum(ratings)
  n0 <- n - n1
  if (n1 == 0 || n0 == 0) return(NaN)
  1 - (n - 1) * sum(j * (m - j)) / ((m - 1) * n1 * n0)
}

figures <- function(ratings) {
  # ratings: units in rows, coders in columns
  coders <- ncol(ratings)
  coded <- rowSums(ratings)
  agreement <- mean(coded == 0 | coded == coders)
  kappa <- NULL
  if (coders == 2) {
    kappa <- or_null(tryCatch(suppressWarnings(kappa2(ratings)$value), error = function(e) NaN))
  }
  alpha <- or_null(tryCatch(
    suppressWarnings(kripp.alpha(cbind(t(ratings), NA), method = "nominal")$value),
    error = function(e) NaN
  ))
  by_hand <- or_null(alpha_by_hand(ratings))
  stopifnot(is.null(alpha) == is.null(by_hand))
  if (!is.null(alpha)) stopifnot(abs(alpha - by_hand) <= 1e-12)
  result <- list(
    units = nrow(ratings),
    percent_agreement = agreement,
    cohen_kappa = kappa,
    krippendorff_alpha = alpha
  )
  if (coders > 2) {
    result$irr_kripp_alpha_quirk <- or_null(tryCatch(
      suppressWarnings(kripp.alpha(t(ratings), method = "nominal")$value),
      error = function(e) NaN
    ))
  }
  result
}

results <- list()
for (case in inputs$cases) {
  per_source <- list()
  pooled <- NULL
  for (source in case$sources) {
    ratings <- sapply(case$coders, function(coder) {
      units_of(source, source$codings[[coder]], case$unit)
    })
    ratings <- matrix(ratings, ncol = length(case$coders))
    pooled <- rbind(pooled, ratings)
    per_source[[length(per_source) + 1]] <- c(list(source = source$name), figures(ratings))
  }
  results[[length(results) + 1]] <- list(
    id = case$id,
    pooled = figures(pooled),
    sources = per_source
  )
}

document <- list(
  made_by = "make_golden_agreement.R",
  r_version = R.version.string,
  irr_version = as.character(packageVersion("irr")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  cases = results
)
writeLines(
  toJSON(document, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE),
  "agreement_r_results.json"
)
