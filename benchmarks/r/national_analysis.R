# The national benchmark's analysis as an analyst would write it in R (data.table, lme4, lmerTest).
#
#   Rscript benchmarks/r/national_analysis.R national.csv answer_key.csv
#
# national.csv: the tidy file written by benchmarks/bench_national.py (one row per person and
# test: participant, cohort, programme, timepoint, directorate, profession, one column per item).
# answer_key.csv: one row per item of the instrument (item, domain, kind, key, reverse, min, max),
# which benchmarks/bench_vs_r.py writes from the instrument's YAML, so that R needs no YAML package.
#
# It does what imheval analyse does for this file, in the same way: 1 point per correct keyed
# answer, rating items summed with reverse keying (min + max - value), a blank or wrong answer
# scores 0 and a domain left wholly blank is missing; people matched on their code within their
# cohort; then per domain a paired t-test and d_z, the Wilcoxon signed-rank test, cohort means
# with a paired t-test and the one-way ANOVA of cohort gains by programme, Welch's t-test of
# gains by directorate, KR-20 before and after (keyed domains), McNemar's test per keyed item,
# and lmer(score ~ time + (1 | cohort) + (1 | cohort:code)) by REML with lmerTest's
# Satterthwaite t-tests on everyone who answered.
#
# It prints "TIME <stage> <seconds>" for its own stages and "FIGURE <domain> <name> <value>" for
# the key figures, which bench_vs_r.py compares with imheval's JSON. Nothing else is printed.

suppressPackageStartupMessages({
  library(data.table)
  library(lme4)
  library(lmerTest)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) {
  stop("usage: Rscript national_analysis.R national.csv answer_key.csv", call. = FALSE)
}
csv_path <- args[1]
key_path <- args[2]

started <- proc.time()[["elapsed"]]
stage_start <- started
lap <- function(stage) {
  now <- proc.time()[["elapsed"]]
  cat(sprintf("TIME %s %.3f\n", stage, now - stage_start))
  stage_start <<- now
}
figure <- function(domain, name, value) {
  cat(sprintf("FIGURE %s %s %s\n", domain, name, format(value, digits = 17)))
}

# --- read -----------------------------------------------------------------------------------
key <- fread(key_path, colClasses = "character", na.strings = NULL)
key[, `:=`(reverse = reverse == "true", min = as.numeric(min), max = as.numeric(max))]
keyed_items <- key[kind == "keyed", item]
# Answers stay text (yes/no options must not become logicals); ratings are whole numbers.
classes <- c(
  setNames(rep("character", length(keyed_items)), keyed_items),
  participant = "character", cohort = "character", programme = "character",
  timepoint = "character", directorate = "character", profession = "character"
)
responses <- fread(csv_path, colClasses = classes)
lap("read")

# --- score ----------------------------------------------------------------------------------
# Points per item: keyed 1 when the answer is the key, else 0; ratings reversed where keyed so.
# A blank answer scores 0; a domain whose items are all blank is missing (NA).
points <- list()
for (i in seq_len(nrow(key))) {
  item <- key$item[i]
  answer <- responses[[item]]
  if (key$kind[i] == "keyed") {
    points[[item]] <- fifelse(is.na(answer) | answer == "", 0, as.numeric(answer == key$key[i]))
  } else {
    value <- as.numeric(answer)
    if (key$reverse[i]) value <- key$min[i] + key$max[i] - value
    points[[item]] <- fcoalesce(value, 0)
  }
}
domains <- unique(key$domain)
for (this_domain in domains) {
  items <- key[domain == this_domain, item]
  blank <- Reduce(`&`, lapply(items, function(it) is.na(responses[[it]]) | responses[[it]] == ""))
  total <- Reduce(`+`, points[items])
  set(responses, j = this_domain, value = fifelse(blank, NA_real_, total))
}
lap("score")

# --- match ----------------------------------------------------------------------------------
id_columns <- c("cohort", "participant")
pre <- responses[timepoint == "pre"]
post <- responses[timepoint == "post"]
pairs <- merge(
  pre[, c(id_columns, "programme", "directorate", domains), with = FALSE],
  post[, c(id_columns, domains), with = FALSE],
  by = id_columns, suffixes = c("_pre", "_post")
)
cat(sprintf("FIGURE all matched_pairs %d\n", nrow(pairs)))
lap("match")

# --- per domain -----------------------------------------------------------------------------
item_points <- as.data.table(points)
item_points[, `:=`(cohort = responses$cohort, participant = responses$participant,
                   timepoint = responses$timepoint)]
paired_items <- merge(
  item_points[timepoint == "pre"], item_points[timepoint == "post"],
  by = id_columns, suffixes = c("_pre", "_post")
)

kr20 <- function(m) {
  k <- ncol(m)
  p <- colMeans(m)
  # Sample variances throughout (n - 1), as Cronbach's alpha of 0/1 items.
  n <- nrow(m)
  item_var <- p * (1 - p) * n / (n - 1)
  k / (k - 1) * (1 - sum(item_var) / var(rowSums(m)))
}

for (this_domain in domains) {
  domain <- this_domain
  pre_score <- pairs[[paste0(domain, "_pre")]]
  post_score <- pairs[[paste0(domain, "_post")]]
  complete <- !is.na(pre_score) & !is.na(post_score)
  d <- pairs[complete, c(id_columns, "programme", "directorate"), with = FALSE]
  d[, `:=`(pre = pre_score[complete], post = post_score[complete])]
  d[, gain := post - pre]
  gain <- d$gain

  paired <- t.test(d$post, d$pre, paired = TRUE)
  figure(domain, "paired_t", paired$statistic)
  figure(domain, "paired_df", paired$parameter)
  figure(domain, "mean_change", paired$estimate)
  figure(domain, "cohen_dz", mean(gain) / sd(gain))

  signed_rank <- suppressWarnings(
    wilcox.test(d$post, d$pre, paired = TRUE)
  )
  figure(domain, "wilcoxon_v", signed_rank$statistic)
  figure(domain, "wilcoxon_p", signed_rank$p.value)

  cohorts <- d[, .(pre = mean(pre), post = mean(post), gain = mean(gain),
                   programme = programme[1]), by = cohort]
  cohort_t <- t.test(cohorts$post, cohorts$pre, paired = TRUE)
  figure(domain, "cohort_paired_t", cohort_t$statistic)
  cohort_anova <- anova(lm(gain ~ factor(programme), data = cohorts))
  figure(domain, "cohort_gain_anova_f", cohort_anova[["F value"]][1])

  welch <- t.test(gain ~ directorate, data = d, var.equal = FALSE)
  figure(domain, "welch_t_directorate", welch$statistic)
  figure(domain, "welch_df_directorate", welch$parameter)

  items <- key[domain == this_domain, item]
  if (all(key[domain == this_domain, kind] == "keyed")) {
    matched_items <- paired_items[d, on = id_columns, nomatch = NULL]
    before <- as.matrix(matched_items[, paste0(items, "_pre"), with = FALSE])
    after <- as.matrix(matched_items[, paste0(items, "_post"), with = FALSE])
    figure(domain, "kr20_pre", kr20(before))
    figure(domain, "kr20_post", kr20(after))
    mcnemar <- vapply(seq_along(items), function(j) {
      counts <- table(factor(before[, j], levels = 0:1), factor(after[, j], levels = 0:1))
      unname(mcnemar.test(counts)$statistic)
    }, numeric(1))
    for (j in seq_along(items)) figure(domain, paste0("mcnemar_", items[j]), mcnemar[j])
  }

  long <- responses[!is.na(get(domain)) & timepoint %in% c("pre", "post"),
                    .(score = get(domain), time = factor(timepoint, levels = c("pre", "post")),
                      cohort, participant)]
  model <- lmer(score ~ time + (1 | cohort) + (1 | cohort:participant), data = long, REML = TRUE)
  fixed <- summary(model)$coefficients
  figure(domain, "lmer_time", fixed["timepost", "Estimate"])
  figure(domain, "lmer_time_se", fixed["timepost", "Std. Error"])
  figure(domain, "lmer_time_df", fixed["timepost", "df"])
  variances <- as.data.frame(VarCorr(model))
  figure(domain, "lmer_var_participant", variances$vcov[variances$grp == "cohort:participant"])
  figure(domain, "lmer_var_cohort", variances$vcov[variances$grp == "cohort"])
  figure(domain, "lmer_var_residual", variances$vcov[variances$grp == "Residual"])
  lap(paste0("analyse_", domain))
}
cat(sprintf("TIME total %.3f\n", proc.time()[["elapsed"]] - started))
