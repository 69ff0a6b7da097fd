# Golden values for imheval.stats.items and imheval.stats.reliability, computed by R.
#
# Run from this folder:   Rscript make_golden_items.R
# Reads items_inputs.json, writes items_r_results.json (15 significant digits). The Python tests
# in test_items_against_r.py compare imheval with every number written here; the test suite
# never needs R itself.  Debian packages: r-base-core r-cran-psych r-cran-jsonlite.
#
# Conventions (see docs/methods.md, "Item analysis and reliability"):
# - alpha is computed by hand with sample variances (== KR-20 for 0/1 items) on complete cases,
#   keeping zero-variance items. psych::alpha drops zero-variance items, so its value is written
#   as psych_raw_alpha and only equals ours when no item is constant.
# - item-rest r is cor(item, total of the other items), NA when either is constant.
# - McNemar: R's mcnemar.test (continuity correction) and the exact binomial test
#   binom.test(min(b, c), b + c, 0.5); "auto" is the exact p when b + c < 25.

options(warn = 1)
suppressPackageStartupMessages({
  library(jsonlite)
  library(psych)
})

inp <- fromJSON("items_inputs.json", simplifyVector = FALSE)
as_matrix <- function(rows) {
  do.call(rbind, lapply(rows, function(r) vapply(r, function(v) if (is.null(v)) NA_real_ else as.numeric(v), 0)))
}
as_vec <- function(x) vapply(x, function(v) if (is.null(v)) NA_real_ else as.numeric(v), 0)
na_to_null <- function(x) if (is.na(x)) NULL else x

alpha_hand <- function(x) {
  k <- ncol(x)
  k / (k - 1) * (1 - sum(apply(x, 2, var)) / var(rowSums(x)))
}

item_block <- function(set) {
  x <- as_matrix(set$x)
  colnames(x) <- unlist(set$items)
  lo <- set$min; hi <- set$max
  facility <- (colMeans(x, na.rm = TRUE) - lo) / (hi - lo)
  cc <- x[complete.cases(x), , drop = FALSE]
  n <- nrow(cc); k <- ncol(cc)
  total <- rowSums(cc)
  item_rest <- sapply(seq_len(k), function(j) {
    rest <- total - cc[, j]
    if (sd(cc[, j]) == 0 || sd(rest) == 0) NA else cor(cc[, j], rest)
  })
  a <- alpha_hand(cc)
  feldt <- 1 - (1 - a) * qf(c(0.975, 0.025), n - 1, (n - 1) * (k - 1))
  drop <- sapply(seq_len(k), function(j) alpha_hand(cc[, -j, drop = FALSE]))
  constant <- apply(cc, 2, sd) == 0
  ps <- suppressWarnings(suppressMessages(psych::alpha(cc, warnings = FALSE)))
  out <- list(
    n_complete = n, k = k,
    facility = as.list(facility),
    item_rest = lapply(setNames(item_rest, colnames(cc)), na_to_null),
    alpha = a, feldt_ci95 = feldt,
    alpha_if_deleted = as.list(setNames(drop, colnames(cc))),
    psych_raw_alpha = ps$total$raw_alpha,
    constant_items = as.list(colnames(cc)[constant])
  )
  if (!any(constant)) {
    # Only without constant items are psych's per-item numbers comparable with ours.
    out$psych_r_drop <- as.list(setNames(ps$item.stats$r.drop, colnames(cc)))
    out$psych_alpha_drop <- as.list(setNames(ps$alpha.drop$raw_alpha, colnames(cc)))
  }
  out
}

mcnemar_block <- function(set) {
  pre <- as_matrix(set$pre); post <- as_matrix(set$post)
  items <- unlist(set$items)
  res <- list()
  auto_p <- c()
  for (j in seq_along(items)) {
    ok <- !is.na(pre[, j]) & !is.na(post[, j])
    a <- factor(pre[ok, j], levels = c(0, 1)); b <- factor(post[ok, j], levels = c(0, 1))
    tab <- table(a, b)
    b_count <- tab["1", "0"]; c_count <- tab["0", "1"]
    mt <- mcnemar.test(tab)
    exact <- binom.test(min(b_count, c_count), b_count + c_count, 0.5)$p.value
    auto <- if (b_count + c_count < 25) exact else mt$p.value
    auto_p <- c(auto_p, auto)
    res[[items[j]]] <- list(
      n = sum(ok), b = b_count, c = c_count,
      chi2_cc = unname(mt$statistic), p_cc = mt$p.value, p_exact = exact, p_auto = auto
    )
  }
  holm <- p.adjust(auto_p, method = "holm")
  for (j in seq_along(items)) res[[items[j]]]$p_auto_holm <- holm[j]
  res
}

icc_block <- function(set) {
  t1 <- as_vec(set$t1); t2 <- as_vec(set$t2)
  ok <- complete.cases(t1, t2)
  r <- psych::ICC(cbind(t1[ok], t2[ok]), lmer = FALSE)$results
  row <- function(name) {
    x <- r[r$type == name, ]
    list(icc = x$ICC, F = x$F, df1 = x$df1, df2 = x$df2, p = x$p,
         ci95 = c(x$`lower bound`, x$`upper bound`))
  }
  list(n = sum(ok), ICC2 = row("ICC2"), ICC3 = row("ICC3"))
}

kappa_block <- function(set) {
  a <- as_vec(set$a); b <- as_vec(set$b)
  ok <- complete.cases(a, b)
  ck <- suppressWarnings(psych::cohen.kappa(cbind(a[ok], b[ok])))
  list(n = sum(ok), kappa = ck$kappa, var_kappa = ck$var.kappa,
       ci95 = unname(ck$confid[1, c(1, 3)]), percent_agreement = mean(a[ok] == b[ok]))
}

results <- list(
  generated_with = list(R = R.version.string,
                        psych = as.character(packageVersion("psych")),
                        jsonlite = as.character(packageVersion("jsonlite"))),
  item_sets = lapply(inp$item_sets, item_block),
  mcnemar = lapply(inp$mcnemar, mcnemar_block),
  icc = lapply(inp$icc, icc_block),
  kappa = lapply(inp$kappa, kappa_block)
)
writeLines(toJSON(results, auto_unbox = TRUE, digits = I(15), pretty = TRUE, null = "null"),
           "items_r_results.json")
cat("wrote items_r_results.json\n")
