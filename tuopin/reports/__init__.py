"""Reports (design.md §3): the region dashboard, the per-role home pages and the annual report
(脱贫答卷). Everything here is read-only and computed from records; apps below it (registry,
assessment, programmes, assistance, supervision) own the data and its ``queries``."""
