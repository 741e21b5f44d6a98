"""慈溪企业数字化水平自评估. Layers: `core` (pure domain) <- `services` (database) <- `web`, `cli`;
`reports` (PDF) depends on `core` only. See docs/architecture.md."""
