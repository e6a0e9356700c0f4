"""Reports rendered from a run directory alone: HTML, Markdown, LaTeX, and run comparisons."""
