"""One spider per outlet; each names its outlet record and nothing else."""
