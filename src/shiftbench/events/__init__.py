"""Event classifiers and event cells: models that answer an event question directly
(``lstm_event``, ``event_persistence``, ``event_climatology``), and the cells that run them and
turn every point forecaster's forecasts into events by the same rule."""
