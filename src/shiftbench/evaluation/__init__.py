"""Judging forecasts: metrics (one table), forecast-comparison statistics, the right-shift
detector and the assessment tables of a run. Pure functions over arrays and frames: nothing here
reads or writes a file, and nothing imports the engine or the reports."""
