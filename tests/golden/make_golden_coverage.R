# Golden values for workforce coverage (imheval.workforce.coverage), by hand in base R.
#
# Reads coverage/establishment.csv, coverage/training.csv and coverage/required.csv (NES PIMH
# levels; ISO dates) and writes coverage_r_results.json: for each as-of date, one row per
# establishment row and requirement of its service and profession, with trained, percent
# (17 significant digits), gap_people, status and flags. test_coverage_against_r.py runs
# `imheval coverage` on the same files and compares every value exactly.
#
# The rules (docs/coverage.md), written out again independently of the Python:
# - a person is `person` within an organisation (case and spaces aside); training after
#   as-of is ignored;
# - a person is placed in the service and profession of their latest record;
# - they count at a level when they completed that level or a higher one, on or after the
#   lapse date (as-of less refresh_years years) when the requirement has refresh_years;
# - percent = 100 * trained / headcount; null (with a flag) when headcount is 0 or below trained;
# - gap = max(0, ceiling(target * headcount / 100) - trained), in integers (targets in
#   thousandths), so 90% of 10 is exactly 9;
# - status: met when the gap is 0; else on_trajectory when no point (the requirement's rows,
#   interim and final) is due on as-of or the share reaches the latest due point's target;
#   else behind.
#
# Run: cd tests/golden && Rscript make_golden_coverage.R

suppressPackageStartupMessages(library(jsonlite))

names_nes <- c("Informed", "Skilled", "Enhanced", "Specialist")
levels_nes <- tolower(names_nes)
key <- function(x) tolower(gsub("\\s+", " ", trimws(x)))

read <- function(name) {
  read.csv(file.path("coverage", name), colClasses = "character", check.names = FALSE)
}
establishment <- read("establishment.csv")
training <- read("training.csv")
required <- read("required.csv")

training$rank <- match(key(training$level), levels_nes)
stopifnot(!anyNA(training$rank))
training$date <- as.Date(training$completed_on)
training$who <- paste(key(training$organisation), key(training$person), sep = "\r")

required$rank <- match(key(required$level), levels_nes)
required$date <- as.Date(required$by_date)
# Targets in thousandths of a percent, as integers: the arithmetic below is exact.
required$milli <- round(as.numeric(required$target_percent) * 1000)
required$req <- paste(key(required$service), key(required$profession), required$rank, sep = "\r")

exact <- function(x) structure(sprintf("%.17g", x), class = "json")

lapse_date <- function(as_of, years) {
  parts <- as.integer(strsplit(format(as_of), "-")[[1]])
  day <- parts[3]
  if (parts[2] == 2 && day == 29) day <- 28  # 29 February in a year without one
  as.Date(sprintf("%04d-%02d-%02d", parts[1] - years, parts[2], day))
}

coverage_on <- function(as_of) {
  done <- training[training$date <= as_of, ]
  # Each person's place (their latest record) and, per rank, their latest completion at or above.
  people <- lapply(split(done, done$who), function(own) {
    latest <- own[own$date == max(own$date), ]
    places <- unique(paste(key(latest$service), key(latest$profession)))
    stopifnot(length(places) == 1)
    best <- sapply(seq_along(levels_nes), function(r) {
      at <- own$date[own$rank >= r]
      if (length(at) == 0) NA_real_ else as.numeric(max(at))
    })
    list(
      org = key(latest$organisation[1]), service = key(latest$service[1]),
      profession = key(latest$profession[1]), best = best
    )
  })
  rows <- list()
  for (i in seq_len(nrow(establishment))) {
    post <- establishment[i, ]
    headcount <- as.integer(post$headcount)
    here <- Filter(function(p) {
      p$org == key(post$organisation) && p$service == key(post$service) &&
        p$profession == key(post$profession)
    }, people)
    matching <- required[key(required$service) == key(post$service) &
      key(required$profession) == key(post$profession), ]
    for (req in unique(matching$req)) {
      points <- matching[matching$req == req, ]
      points <- points[order(points$date), ]
      final <- points[nrow(points), ]
      rank <- final$rank
      refresh <- points$refresh_years[points$refresh_years != ""]
      since <- if (length(refresh)) as.numeric(lapse_date(as_of, as.integer(refresh[1]))) else -Inf
      trained <- sum(vapply(here, function(p) {
        !is.na(p$best[rank]) && p$best[rank] >= since
      }, logical(1)))
      flags <- character(0)
      if (trained > headcount) flags <- c(flags, "trained_exceeds_headcount")
      if (headcount == 0) flags <- c(flags, "no_headcount")
      # 17 significant digits, written verbatim (jsonlite stops at 15), so the float round-trips.
      percent <- if (length(flags)) NULL else exact(100 * trained / headcount)
      needed <- (final$milli * headcount + 99999) %/% 100000  # ceiling of milli * h / 100,000
      gap <- max(0, needed - trained)
      due <- points[points$date <= as_of, ]
      status <- if (gap == 0) {
        "met"
      } else if (nrow(due) == 0) {
        "on_trajectory"
      } else if (100000 * trained >= due$milli[nrow(due)] * headcount) {
        "on_trajectory"
      } else {
        "behind"
      }
      rows[[length(rows) + 1]] <- list(
        organisation = post$organisation, service = post$service,
        profession = post$profession, level = names_nes[rank], headcount = headcount,
        trained = trained, percent = percent, target_percent = as.numeric(final$target_percent),
        gap_people = gap, status = status, flags = I(flags)
      )
    }
  }
  list(as_of = format(as_of), rows = rows)
}

as_of_dates <- as.Date(c("2026-03-31", "2025-06-30"))
out <- list(
  r_version = R.version.string,
  results = lapply(as_of_dates, coverage_on)
)
writeLines(
  toJSON(out, auto_unbox = TRUE, pretty = TRUE, null = "null", json_verbatim = TRUE),
  "coverage_r_results.json"
)
