# R's own forecasts of the M3 replay (Makridakis, Spiliotis & Assimakopoulos 2018), the reference
# that tests/reference/test_against_r.py compares shiftbench with, and the source of the "R
# column" (src/shiftbench/datasets/data/makridakis2018_r_reference.csv).
#
# Usage:
#   Rscript tests/reference/m3_reference.R INPUT.csv OUTDIR [--methods=ses,holt,damped,ets,arima]
#       [--boxcox=both|no|only] [--arima-boxcox-step=K] [--no-refit]
#
# INPUT.csv: columns id, insample, holdout (values separated by single spaces), optionally
# indices (12 multiplicative seasonal indices by position t %% 12, t counted from 0 at the first
# observation; empty or absent: R estimates them as below).
#
# OUTDIR receives (appended series by series, so a long run can be read while it runs):
#   forecasts.csv  id, method, boxcox, protocol, h, forecast
#       protocol one_step: 18 one-step forecasts over the held-out part at the parameters
#         fitted on the in-sample part (ets: ets(full, model = fit, use.initial.values = TRUE),
#         arima: Arima(full, model = fit); the fitted values of the last 18 points);
#       multi_step: forecast(fit, h = 18) from the last in-sample origin;
#       one_step_refit (ses, holt, damped, without Box-Cox only): the model refitted at every
#         one of the 18 origins on the adjusted series up to that origin, the in-sample indices
#         kept.
#   fits.csv       id, method, boxcox, model, p, d, q, P, D, Q, m, constant, drift, alpha, beta,
#                  gamma, phi, lambda, seconds, cpu_seconds (fit + 18-step forecast: elapsed,
#                  and user + system CPU time of the R process)
#   series.csv     id, n_in, seasonal, lambda, indices, seasonal_bc, indices_bc
#   session.csv    r_version, forecast_version, measured, machine, options
#
# Definitions:
# - Seasonal adjustment (ses, holt, damped), as shiftbench.seasonality.SeasonalIndices: when the
#   in-sample part holds two seasons and is positive, the M4 benchmark code's seasonality test
#   on it (acf at lag 12 outside 1.645 * sqrt((1 + 2 * sum(r_1..r_11^2)) / n)), and when
#   seasonal the indices of decompose(type = "multiplicative") on the in-sample part; the method
#   runs on x / index, its forecasts are multiplied by the index of the period they fall in.
# - ETS and ARIMA run on the original series with the defaults: ets(x), auto.arima(x).
# - Box-Cox (boxcox = 1): lambda = BoxCox.lambda(x_in, method = "guerrero") of the original
#   in-sample part; every method then runs on w = BoxCox(x, lambda) exactly as above (the
#   seasonality test and decomposition on w for ses, holt, damped) and its forecasts are
#   back-transformed with InvBoxCox (no bias adjustment): ets(w, additive.only = TRUE) and
#   auto.arima(w) are ets(x, lambda = lambda) (which searches additive forms only) and
#   auto.arima(x, lambda = lambda), with biasadj = FALSE.
# - With --arima-boxcox-step=K the Box-Cox auto.arima runs on every K-th series of the input
#   only (the 1st, K+1-th, ...), to halve the cost of a full run.

suppressPackageStartupMessages(library(forecast))

HORIZON <- 18L
PERIOD <- 12L

parse_args <- function(argv) {
  opts <- list(methods = c("ses", "holt", "damped", "ets", "arima"), boxcox = "both",
               refit = TRUE, arima_boxcox_step = 1L)
  positional <- character(0)
  for (a in argv) {
    if (startsWith(a, "--methods=")) {
      opts$methods <- strsplit(sub("^--methods=", "", a), ",")[[1]]
    } else if (startsWith(a, "--boxcox=")) {
      opts$boxcox <- match.arg(sub("^--boxcox=", "", a), c("both", "no", "only"))
    } else if (a == "--no-refit") {
      opts$refit <- FALSE
    } else if (startsWith(a, "--arima-boxcox-step=")) {
      opts$arima_boxcox_step <- as.integer(sub("^--arima-boxcox-step=", "", a))
    } else if (startsWith(a, "--")) {
      stop("unknown option ", a)
    } else {
      positional <- c(positional, a)
    }
  }
  if (length(positional) != 2) {
    stop("usage: Rscript m3_reference.R INPUT.csv OUTDIR [options]")
  }
  opts$input <- positional[1]
  opts$outdir <- positional[2]
  opts
}

numbers <- function(text) as.numeric(strsplit(trimws(text), " ", fixed = TRUE)[[1]])

# The M4 benchmark code's seasonality test (90 %, lag m).
seasonality_test <- function(x, m) {
  r <- acf(x, lag.max = m, plot = FALSE)$acf[-1]
  limit <- 1.645 * sqrt((1 + 2 * sum(r[seq_len(m - 1)]^2)) / length(x))
  abs(r[m]) > limit
}

# Indices by position t %% m (t from 0): all ones unless seasonal.
seasonal_indices <- function(x, m) {
  if (length(x) >= 2 * m && all(x > 0) && seasonality_test(x, m)) {
    list(seasonal = TRUE,
         values = as.numeric(decompose(ts(x, frequency = m), type = "multiplicative")$figure))
  } else {
    list(seasonal = FALSE, values = rep(1, m))
  }
}

index_at <- function(values, positions) values[(positions %% length(values)) + 1]

# ses, holt, damped on the adjusted series z; returns the forecasts of the three protocols.
smoothing_fit <- function(method, z) {
  switch(method,
         ses = ses(z, h = HORIZON),
         holt = holt(z, h = HORIZON),
         damped = holt(z, h = HORIZON, damped = TRUE))
}

run_smoothing <- function(method, x, n_in, idx, refit) {
  full_pos <- 0:(length(x) - 1)
  z <- ts(x / index_at(idx, full_pos), frequency = PERIOD)
  z_in <- ts(z[1:n_in], frequency = PERIOD)
  out_pos <- n_in:(n_in + HORIZON - 1)
  seconds <- system.time(fc <- smoothing_fit(method, z_in))
  fit <- fc$model
  multi <- as.numeric(fc$mean) * index_at(idx, out_pos)
  again <- ets(z, model = fit, use.initial.values = TRUE)
  one <- as.numeric(fitted(again))[n_in + 1:HORIZON] * index_at(idx, out_pos)
  refits <- NULL
  if (refit) {
    refits <- vapply(0:(HORIZON - 1), function(k) {
      zk <- ts(z[1:(n_in + k)], frequency = PERIOD)
      as.numeric(smoothing_fit(method, zk)$mean[1]) * index_at(idx, n_in + k)
    }, numeric(1))
  }
  par <- fit$par
  list(one_step = one, multi_step = multi, one_step_refit = refits, seconds = seconds,
       model = fit$method, alpha = par["alpha"], beta = par["beta"], gamma = NA,
       phi = par["phi"])
}

run_ets <- function(x, n_in, additive_only) {
  x_in <- ts(x[1:n_in], frequency = PERIOD)
  seconds <- system.time({
    fit <- ets(x_in, additive.only = additive_only)
    fc <- forecast(fit, h = HORIZON)
  })
  again <- ets(ts(x, frequency = PERIOD), model = fit, use.initial.values = TRUE)
  par <- fit$par
  list(one_step = as.numeric(fitted(again))[n_in + 1:HORIZON], multi_step = as.numeric(fc$mean),
       seconds = seconds, model = fit$method, alpha = par["alpha"], beta = par["beta"],
       gamma = par["gamma"], phi = par["phi"])
}

run_arima <- function(x, n_in) {
  x_in <- ts(x[1:n_in], frequency = PERIOD)
  seconds <- system.time({
    fit <- auto.arima(x_in)
    fc <- forecast(fit, h = HORIZON)
  })
  again <- Arima(ts(x, frequency = PERIOD), model = fit)
  ord <- arimaorder(fit)
  coefs <- names(coef(fit))
  list(one_step = as.numeric(fitted(again))[n_in + 1:HORIZON], multi_step = as.numeric(fc$mean),
       seconds = seconds, model = as.character(fit), order = ord,
       constant = as.integer("intercept" %in% coefs), drift = as.integer("drift" %in% coefs))
}

append_csv <- function(frame, path) {
  exists <- file.exists(path)
  write.table(frame, path, sep = ",", row.names = FALSE, col.names = !exists, append = exists,
              quote = TRUE, qmethod = "double")
}

num <- function(v) if (is.null(v) || length(v) == 0 || is.na(v)) NA_real_ else unname(v)

fmt <- function(v) paste(formatC(v, digits = 17, format = "g"), collapse = " ")

one_series <- function(row, position, opts) {
  x_in <- numbers(row$insample)
  x <- c(x_in, numbers(row$holdout))
  n_in <- length(x_in)
  given <- if ("indices" %in% names(row) && !is.na(row$indices) && nzchar(row$indices))
    numbers(row$indices) else NULL
  lambda <- BoxCox.lambda(ts(x_in, frequency = PERIOD), method = "guerrero")
  variants <- switch(opts$boxcox, both = c(0L, 1L), no = 0L, only = 1L)
  forecasts <- list()
  fits <- list()
  info <- list(NULL, NULL)
  for (bc in variants) {
    y <- if (bc == 1L) as.numeric(BoxCox(x, lambda)) else x
    back <- if (bc == 1L) function(v) as.numeric(InvBoxCox(v, lambda)) else identity
    adj <- seasonal_indices(y[1:n_in], PERIOD)
    if (!is.null(given) && bc == 0L) adj <- list(seasonal = any(given != 1), values = given)
    info[[bc + 1]] <- adj
    for (method in opts$methods) {
      if (method == "arima" && bc == 1L && (position - 1) %% opts$arima_boxcox_step != 0) next
      res <- tryCatch(
        if (method %in% c("ses", "holt", "damped")) {
          run_smoothing(method, y, n_in, adj$values, opts$refit && bc == 0L)
        } else if (method == "ets") {
          run_ets(y, n_in, additive_only = bc == 1L)
        } else {
          run_arima(y, n_in)
        },
        error = function(e) list(model = paste("error:", conditionMessage(e))))
      for (protocol in c("one_step", "multi_step", "one_step_refit")) {
        values <- res[[protocol]]
        if (is.null(values)) next
        forecasts[[length(forecasts) + 1]] <- data.frame(
          id = row$id, method = method, boxcox = bc, protocol = protocol, h = 1:HORIZON,
          forecast = formatC(back(values), digits = 17, format = "g"))
      }
      ord <- if (is.null(res$order)) rep(NA, 7) else res$order
      fits[[length(fits) + 1]] <- data.frame(
        id = row$id, method = method, boxcox = bc, model = res$model,
        p = ord[1], d = ord[2], q = ord[3],
        P = if (length(ord) == 7) ord[4] else 0, D = if (length(ord) == 7) ord[5] else 0,
        Q = if (length(ord) == 7) ord[6] else 0, m = if (length(ord) == 7) ord[7] else 1,
        constant = num(res$constant), drift = num(res$drift), alpha = num(res$alpha),
        beta = num(res$beta), gamma = num(res$gamma), phi = num(res$phi),
        lambda = if (bc == 1L) lambda else NA_real_,
        seconds = if (is.null(res$seconds)) NA_real_ else res$seconds[["elapsed"]],
        cpu_seconds = if (is.null(res$seconds)) NA_real_
                      else res$seconds[["user.self"]] + res$seconds[["sys.self"]])
      if (is.null(res$order)) fits[[length(fits)]][, c("p", "d", "q", "P", "D", "Q", "m")] <- NA
    }
  }
  series <- data.frame(
    id = row$id, n_in = n_in,
    seasonal = if (is.null(info[[1]])) NA else as.integer(info[[1]]$seasonal), lambda = lambda,
    indices = if (is.null(info[[1]])) "" else fmt(info[[1]]$values),
    seasonal_bc = if (is.null(info[[2]])) NA else as.integer(info[[2]]$seasonal),
    indices_bc = if (is.null(info[[2]])) "" else fmt(info[[2]]$values))
  list(forecasts = do.call(rbind, forecasts), fits = do.call(rbind, fits), series = series)
}

main <- function() {
  opts <- parse_args(commandArgs(trailingOnly = TRUE))
  rows <- read.csv(opts$input, colClasses = "character")
  dir.create(opts$outdir, showWarnings = FALSE, recursive = TRUE)
  paths <- file.path(opts$outdir, c("forecasts.csv", "fits.csv", "series.csv", "session.csv"))
  unlink(paths)
  cpu <- tryCatch({
    line <- grep("^model name", readLines("/proc/cpuinfo"), value = TRUE)[1]
    trimws(sub("^[^:]*:", "", line))
  }, error = function(e) NA_character_, warning = function(w) NA_character_)
  append_csv(data.frame(
    r_version = R.version.string, forecast_version = as.character(packageVersion("forecast")),
    measured = format(Sys.Date()), machine = paste0(R.version$platform, ", ", cpu),
    options = paste0("methods=", paste(opts$methods, collapse = " "), "; boxcox=", opts$boxcox,
                     "; refit=", opts$refit, "; arima_boxcox_step=", opts$arima_boxcox_step)),
    paths[4])
  for (i in seq_len(nrow(rows))) {
    out <- one_series(rows[i, , drop = FALSE], i, opts)
    append_csv(out$forecasts, paths[1])
    append_csv(out$fits, paths[2])
    append_csv(out$series, paths[3])
  }
  invisible(NULL)
}

main()
